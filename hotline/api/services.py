"""Partner clients: created and re-keyed here (the admin is a thin form over these)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from hotline.orgs.models import Staff

from .models import PartnerClient, Scope


def sync_account(client: PartnerClient) -> None:
    """A unit client acts through a handler account of its unit: created when the client gets a
    unit, moved when the unit changes. The account cannot sign in (no usable password)."""
    if client.unit_id is None or Scope.UNIT_WORK not in client.scope_set:
        return
    User = get_user_model()
    if client.account_id is None:
        user = User(username=f"api-client-{client.token_prefix}", first_name=f"接口：{client.name}"[:150])
        user.set_unusable_password()
        user.save()
        client.account = user
    Staff.objects.update_or_create(user=client.account, defaults={"role": Staff.Role.HANDLER, "unit": client.unit})


@transaction.atomic
def save_client(client: PartnerClient) -> dict[str, str]:
    """Save a client; a new one gets its token (and webhook secret) here, returned once."""
    shown: dict[str, str] = {}
    if not client.token_hash:
        shown["token"] = client.issue_token()
    if client.webhook_url and not client.webhook_secret:
        shown["webhook_secret"] = client.issue_webhook_secret()
    client.save()
    sync_account(client)
    if client.account_id:
        client.save(update_fields=["account"])
    return shown


@transaction.atomic
def rekey(client: PartnerClient) -> str:
    """A new token; the old one stops working at once."""
    token = client.issue_token()
    client.save(update_fields=["token_prefix", "token_hash"])
    return token


def create_client(
    *,
    name: str,
    channel: str,
    scopes: list[str],
    unit: object = None,
    agency: object = None,
    rate_limit: int = 600,
    ip_allow: str = "",
    webhook_url: str = "",
) -> tuple[PartnerClient, str]:
    """For tests, the demo and scripts: a client and its token."""
    client = PartnerClient(
        name=name,
        channel_id=channel,
        scopes=",".join(scopes),
        unit=unit,  # type: ignore[misc]
        agency=agency,
        rate_limit=rate_limit,
        ip_allow=ip_allow,
        webhook_url=webhook_url,
    )
    client.full_clean(exclude=["token_prefix", "token_hash"])
    shown = save_client(client)
    return client, shown["token"]
