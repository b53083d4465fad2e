"""Which clock a Russian post office keeps, from its 6-digit index (DOMAIN.md 7: the first 3 digits are the region).

The batch tracking service reports DateOper in the office's *local* time without an offset. This table maps an
index prefix to the region's time zone; anything not listed (and operations abroad, which carry no index) is
treated as Moscow time. The prefixes follow the published region tables; the zones are the regions' standard
zones (Russia keeps no summer time since 2014). Unverified against the partner's own office list: a wrong entry
shifts that office's events by whole hours, never drops them. Pure stdlib: the postal sandbox uses it too.
"""

from __future__ import annotations

from functools import lru_cache
from zoneinfo import ZoneInfo

MOSCOW = "Europe/Moscow"

# (first prefix, last prefix, zone): three-digit index prefixes, inclusive.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (236, 238, "Europe/Kaliningrad"),
    (410, 413, "Europe/Saratov"),
    (414, 416, "Europe/Astrakhan"),
    (426, 427, "Europe/Samara"),  # Udmurtia
    (432, 433, "Europe/Ulyanovsk"),
    (443, 446, "Europe/Samara"),
    (450, 457, "Asia/Yekaterinburg"),  # Bashkortostan, Chelyabinsk
    (460, 462, "Asia/Yekaterinburg"),  # Orenburg
    (614, 614, "Asia/Yekaterinburg"),  # Perm
    (617, 618, "Asia/Yekaterinburg"),
    (620, 629, "Asia/Yekaterinburg"),  # Sverdlovsk, Tyumen, KhMAO, YaNAO
    (630, 633, "Asia/Novosibirsk"),
    (634, 636, "Asia/Tomsk"),
    (640, 641, "Asia/Yekaterinburg"),  # Kurgan
    (644, 646, "Asia/Omsk"),
    (649, 649, "Asia/Barnaul"),  # Altai Republic
    (650, 654, "Asia/Novokuznetsk"),  # Kemerovo
    (655, 655, "Asia/Krasnoyarsk"),  # Khakassia
    (656, 659, "Asia/Barnaul"),  # Altai Krai
    (660, 663, "Asia/Krasnoyarsk"),
    (664, 666, "Asia/Irkutsk"),
    (667, 668, "Asia/Krasnoyarsk"),  # Tuva
    (670, 671, "Asia/Irkutsk"),  # Buryatia
    (672, 674, "Asia/Chita"),
    (675, 676, "Asia/Yakutsk"),  # Amur
    (677, 678, "Asia/Yakutsk"),
    (679, 682, "Asia/Vladivostok"),  # Jewish AO, Khabarovsk
    (683, 684, "Asia/Kamchatka"),
    (685, 686, "Asia/Magadan"),
    (689, 689, "Asia/Kamchatka"),  # Chukotka
    (690, 692, "Asia/Vladivostok"),
    (693, 694, "Asia/Sakhalin"),
)


@lru_cache(maxsize=1024)
def zone_for_index(index: str | None) -> ZoneInfo:
    """The time zone of the office with this index; Moscow when unknown, empty or not a Russian index."""
    if index and len(index) == 6 and index.isdigit():
        prefix = int(index[:3])
        for first, last, name in _RANGES:
            if first <= prefix <= last:
                return ZoneInfo(name)
    return ZoneInfo(MOSCOW)
