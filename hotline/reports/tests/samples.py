"""A safety-report configuration the tests share: the 12345 hotline and a fire brigade source."""

SAFETY_TOML = """
city = "西宁市"
matters = ["11", "020201"]
topic_level = 2
topics = 3
closing = "已及时联系相应县区政府核实处理。"
[[sources]]
name = "12345政务服务便民热线"
channels = ["*"]
[[sources]]
name = "西宁市消防救援支队"
channels = ["police_110"]
"""
