"""What a message to a person looks like on each channel, byte for byte as each vendor documents it.

- 企业微信 / 政务微信 group robot: POST JSON `{"msgtype": "markdown", "markdown": {"content": ...}}` to the robot's
  webhook URL (its `key` is in the URL); it answers `{"errcode": 0, "errmsg": "ok"}`, and a refusal is a non-zero
  errcode inside an HTTP 200. Its markdown cannot @-mention by mobile, so the person is named in the text.
- 钉钉 / 浙政钉 custom robot with 加签: the URL gets `&timestamp=<ms>&sign=<s>`, where s is the URL-encoded Base64 of
  HmacSHA256(key=secret, message=timestamp + "\\n" + secret); body `{"msgtype": "markdown", "markdown": {"title",
  "text"}, "at": {"atMobiles": [...], "isAtAll": false}}` (the text must carry "@<mobile>" for the mention to
  show); answer errcode 0.
- 飞书 custom bot with 签名校验: the body carries `timestamp` (seconds, a string) and `sign`, the Base64 of
  HmacSHA256 with timestamp + "\\n" + secret as the key over an empty message; `{"msg_type": "text", "content":
  {"text": ...}}`; answer `{"code": 0, ...}` (older servers: `"StatusCode": 0`).
- SMS: the city's gateway behind one small interface (`SmsGateway`): POST JSON `{"mobile", "text"}` signed like
  the tracker's webhooks with the gateway's key (`X-Sms-Timestamp`, `X-Sms-Signature: sha256=<hex of
  HMAC(key, "<timestamp>." + body)>`); any 2xx acknowledges. A gateway of another shape is bridged by a small
  adapter the city runs at that URL.

Each builder takes the moment of sending, so a signature is made as the message leaves (钉钉 refuses one more than
an hour old, 飞书 too).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

WECOM, DINGTALK, FEISHU, SMS = "wecom", "dingtalk", "feishu", "sms"
ROBOTS = (WECOM, DINGTALK, FEISHU)
TEXT_LIMIT = 1000  # characters of a notice's text in one message (企业微信 markdown takes 4096 bytes in all)
LINK_WORDS = "查看并确认已读"
SMS_TEXT_LIMIT = 200  # characters of the notice in an SMS (a long SMS is sent in parts; the link must survive)


@dataclass(frozen=True)
class Notice:
    """What one message says, whatever carries it: a title, the notification's text, the signed read link (empty
    when the tracker has no public address) and the person's mobile for a mention."""

    title: str
    text: str
    link: str = ""
    mobile: str | None = None
    name: str = ""


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _headers() -> dict[str, str]:
    return {"Content-Type": "application/json; charset=utf-8", "User-Agent": "plan-tracker"}


def _with_query(url: str, query: str) -> str:
    return url + ("&" if "?" in url else "?") + query


def _markdown(notice: Notice) -> str:
    lines = [f"### {notice.title}", "", notice.text[:TEXT_LIMIT]]
    if notice.name:
        lines += ["", f"致:{notice.name}"]
    if notice.link:
        lines += ["", f"[{LINK_WORDS}]({notice.link})"]
    return "\n".join(lines)


def wecom(url: str, notice: Notice) -> Request:
    """企业微信 / 政务微信 group robot, markdown message."""
    return Request(url, _json({"msgtype": "markdown", "markdown": {"content": _markdown(notice)}}), _headers())


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value: URL-encoded Base64 of HmacSHA256(secret, "<timestamp>\\n<secret>")."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest))


def dingtalk(url: str, secret: str, notice: Notice, *, timestamp_ms: int) -> Request:
    """钉钉 / 浙政钉 custom robot, markdown message mentioning the person's mobile; signed when it has a secret."""
    text = _markdown(notice) + (f"\n\n@{notice.mobile}" if notice.mobile else "")
    body = {"msgtype": "markdown", "markdown": {"title": notice.title, "text": text},
            "at": {"atMobiles": [notice.mobile] if notice.mobile else [], "isAtAll": False}}
    if secret:
        url = _with_query(url, f"timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}")
    return Request(url, _json(body), _headers())


def feishu_sign(secret: str, timestamp_s: int) -> str:
    """The body's `sign`: Base64 of HmacSHA256 keyed with "<timestamp>\\n<secret>" over an empty message."""
    return base64.b64encode(hmac.new(f"{timestamp_s}\n{secret}".encode("utf-8"), b"", hashlib.sha256).digest()
                            ).decode("ascii")


def feishu(url: str, secret: str, notice: Notice, *, timestamp_s: int) -> Request:
    """飞书 custom bot, text message; `timestamp` and `sign` in the body when it has a secret."""
    lines = [notice.title, notice.text[:TEXT_LIMIT]] + ([f"致:{notice.name}"] if notice.name else [])
    lines += [f"{LINK_WORDS}:{notice.link}"] if notice.link else []
    body: dict[str, Any] = {}
    if secret:
        body = {"timestamp": str(timestamp_s), "sign": feishu_sign(secret, timestamp_s)}
    body |= {"msg_type": "text", "content": {"text": "\n".join(lines)}}
    return Request(url, _json(body), _headers())


def robot_refusal(kind: str, body: bytes) -> str | None:
    """What the robot's 200 answer says went wrong, or None when it took the message."""
    try:
        answer = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return "应答不是 JSON"
    if not isinstance(answer, dict):
        return "应答不是 JSON 对象"
    if kind == FEISHU:
        code = answer.get("code", answer.get("StatusCode"))
        return None if code == 0 else f"code {code}:{answer.get('msg') or answer.get('StatusMessage') or ''}"
    return None if answer.get("errcode") == 0 else f"errcode {answer.get('errcode')}:{answer.get('errmsg') or ''}"


def sms_signature(key: str, timestamp_s: int, body: bytes) -> str:
    return "sha256=" + hmac.new(key.encode("utf-8"), str(timestamp_s).encode() + b"." + body, hashlib.sha256
                                ).hexdigest()


@dataclass(frozen=True)
class SmsGateway:
    """The city's SMS gateway, configured by URL and key (TRACKER_SMS_URL, TRACKER_SMS_KEY)."""

    url: str
    key: str

    def request(self, mobile: str, notice: Notice, *, timestamp_s: int) -> Request:
        text = f"【督办看板】{notice.text[:SMS_TEXT_LIMIT]}" + (f" {notice.link}" if notice.link else "")
        body = _json({"mobile": mobile, "text": text})
        return Request(self.url, body, _headers() | {"X-Sms-Timestamp": str(timestamp_s),
                                                      "X-Sms-Signature": sms_signature(self.key, timestamp_s, body)})
