import pytest


@pytest.fixture
def clients(people):
    """Partner clients: the city app (submit + read own), the portal (submit only, same kind of
    door), the housing department's system (unit work), another township's system."""
    from hotline.api.services import create_client

    class Clients:
        pass

    c = Clients()
    c.app, c.app_token = create_client(name="石榴籽家园", channel="app_shiliuzi", scopes=["submit", "read_own"])
    c.wechat, c.wechat_token = create_client(name="公众号", channel="wechat", scopes=["submit", "read_own"])
    c.housing, c.housing_token = create_client(
        name="住建局系统", channel="gov_board", scopes=["unit_work"], unit=people.housing
    )
    c.other, c.other_token = create_client(
        name="另一街道系统", channel="gov_board", scopes=["unit_work"], unit=people.other_township
    )
    c.people = people
    return c


def auth(token: str, key: str | None = None) -> dict:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    if key is not None:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    return headers
