"""Each channel's payload, byte for byte, against the format its vendor documents (see tracker/services/ledger/
robots.py): the 企业微信 markdown message, 钉钉's timestamp + sign query, 飞书's signature in the body, and the SMS
gateway's signed JSON. The signatures are recomputed here from the vendors' own recipes."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse

from tracker.services.ledger import robots

NOTICE = robots.Notice(title="督办看板:督办记录下发", text="督办:《河道保洁》已逾期 16 天(答复期限 2024-01-19)",
                       link="https://dbkb.example.gov.cn/r/7.abc", mobile="13800001111", name="张三")
MARKDOWN = ("### 督办看板:督办记录下发\n\n督办:《河道保洁》已逾期 16 天(答复期限 2024-01-19)\n\n致:张三\n\n"
            "[查看并确认已读](https://dbkb.example.gov.cn/r/7.abc)")


def test_wecom_robot_gets_the_documented_markdown_message():
    request = robots.wecom("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6", NOTICE)
    assert request.url == "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=693a91f6"
    assert request.body == ('{"msgtype":"markdown","markdown":{"content":"' + MARKDOWN.replace("\n", "\\n")
                            + '"}}').encode("utf-8")
    assert request.headers["Content-Type"] == "application/json; charset=utf-8"
    assert len(request.body) <= 4096  # the markdown content's documented limit


def test_dingtalk_robot_signs_timestamp_and_secret_in_the_query_as_documented():
    secret, ts = "SEC5a3ecf88f2b3eb50db30ecfc00f53033", 1577262236757
    request = robots.dingtalk("https://oapi.dingtalk.com/robot/send?access_token=XXX", secret, NOTICE,
                              timestamp_ms=ts)
    # 钉钉's recipe: HmacSHA256 keyed with the secret over "timestamp\nsecret", Base64, then URL-encoded.
    expected = urllib.parse.quote_plus(base64.b64encode(
        hmac.new(secret.encode(), f"{ts}\n{secret}".encode(), digestmod=hashlib.sha256).digest()))
    assert request.url == f"https://oapi.dingtalk.com/robot/send?access_token=XXX&timestamp={ts}&sign={expected}"
    assert not set(request.url.rpartition("sign=")[2]) & set("+/=")  # Base64's + / = never travel raw
    text = MARKDOWN + "\n\n@13800001111"
    assert request.body == json.dumps(
        {"msgtype": "markdown", "markdown": {"title": "督办看板:督办记录下发", "text": text},
         "at": {"atMobiles": ["13800001111"], "isAtAll": False}}, ensure_ascii=False, separators=(",", ":")).encode()


def test_dingtalk_robot_without_a_secret_is_not_signed():
    request = robots.dingtalk("https://oapi.dingtalk.com/robot/send?access_token=XXX", "", NOTICE, timestamp_ms=1)
    assert request.url == "https://oapi.dingtalk.com/robot/send?access_token=XXX"


def test_feishu_bot_signs_with_timestamp_and_secret_as_the_key_over_nothing():
    secret, ts = "nIMtb7r3N9pkXyXdtAbx6e", 1599360473
    request = robots.feishu("https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e", secret, NOTICE, timestamp_s=ts)
    expected = base64.b64encode(hmac.new(f"{ts}\n{secret}".encode(), b"", hashlib.sha256).digest()).decode()
    text = ("督办看板:督办记录下发\n督办:《河道保洁》已逾期 16 天(答复期限 2024-01-19)\n致:张三\n"
            "查看并确认已读:https://dbkb.example.gov.cn/r/7.abc")
    assert request.body == json.dumps({"timestamp": "1599360473", "sign": expected, "msg_type": "text",
                                       "content": {"text": text}}, ensure_ascii=False, separators=(",", ":")).encode()
    assert request.url == "https://open.feishu.cn/open-apis/bot/v2/hook/5e3d587e"


def test_a_robot_that_refuses_inside_a_200_is_not_an_acknowledgement():
    assert robots.robot_refusal(robots.WECOM, b'{"errcode":0,"errmsg":"ok"}') is None
    assert robots.robot_refusal(robots.DINGTALK, b'{"errcode":310000,"errmsg":"sign not match"}') == \
        "errcode 310000:sign not match"
    assert robots.robot_refusal(robots.FEISHU, b'{"code":0,"msg":"success","data":{}}') is None
    assert robots.robot_refusal(robots.FEISHU, b'{"StatusCode":0,"StatusMessage":"success"}') is None
    assert robots.robot_refusal(robots.FEISHU, b'{"code":19021,"msg":"sign match fail"}') == \
        "code 19021:sign match fail"
    assert robots.robot_refusal(robots.WECOM, b"<html>busy</html>") == "应答不是 JSON"


def test_sms_gateway_gets_signed_json_with_the_mobile_and_the_text():
    gateway = robots.SmsGateway("https://sms.zw.example/send", "k3y")
    request = gateway.request("13800001111", NOTICE, timestamp_s=1700000000)
    body = json.loads(request.body)
    assert body == {"mobile": "13800001111", "text": "【督办看板】督办:《河道保洁》已逾期 16 天(答复期限 2024-01-19) "
                                                      "https://dbkb.example.gov.cn/r/7.abc"}
    assert request.headers["X-Sms-Timestamp"] == "1700000000"
    assert request.headers["X-Sms-Signature"] == "sha256=" + hmac.new(
        b"k3y", b"1700000000." + request.body, hashlib.sha256).hexdigest()
