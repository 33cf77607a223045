"""Compound WeChat groups 小区微信群 [003].

The only module that reads ``channels.wechat_groups``. With a WeChat group in every
compound, any household can report through it (the WeChat / red-station channel of 7.5);
without, only compounds with a party branch's red station offer that channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from commgov.model.mechanisms.base import Mechanism

if TYPE_CHECKING:
    from commgov.scenarios.schema import Scenario


class WeChatGroups(Mechanism):
    """A WeChat group in every compound: the online channel is open to all."""

    name = "wechat_groups"
    section = "channels"
    odd = "7.5"
    sources = ("003",)

    @classmethod
    def active(cls, params: Scenario) -> bool:
        return bool(params.channels.wechat_groups)

    def attach(self) -> None:
        self.model.households.wechat_everywhere = True
