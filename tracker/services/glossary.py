"""One word for each thing the tracker names, Chinese first, English second, so pages, digests, exports and
form errors say the same: the plan's task groups are 方面 everywhere (the digest used to say 领域), and taking a
new item is 签收 wherever it is offered (the board's move menu used to say 移到"进行中").

Pages take the English through their translation catalog; digests and exports, written in Chinese for the
office and the units, take the Chinese from here.
"""
from __future__ import annotations

GROUP = ("方面", "Group")
BY_GROUP = ("分方面", "By group")
SIGN = ("签收", "Sign for it")
BULLETIN = ("通报", "Bulletin")
BULLETIN_NUMBER_KIND = "督办通报"  # the month's and quarter's 通报 are numbered 督办通报〔2024〕3号, a sequence of their own
TERMS = {"group": GROUP, "by_group": BY_GROUP, "sign": SIGN, "bulletin": BULLETIN}
