"""Västra Götaland's 49 municipalities: SCB code, name and sub-region (delregion).

Every code is 14xx: the county (län 14) was formed in 1998 from three counties
and their municipalities were renumbered then, so no 15xx or 16xx code is
current. The sub-regions are the four municipal associations (kommunalförbund)
that VGR's delregionala nämnder follow; Kungsbacka belongs to
Göteborgsregionen too but lies in Halland, outside the region.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class SubRegion(StrEnum):
    FYRBODAL = "fyrbodal"
    GOTEBORGSREGIONEN = "goteborgsregionen"
    SJUHARAD = "sjuharad"
    SKARABORG = "skaraborg"

    @property
    def label(self) -> str:
        """The name as people write it."""
        return _SUB_REGION_LABELS[self]


_SUB_REGION_LABELS = {
    SubRegion.FYRBODAL: "Fyrbodal",
    SubRegion.GOTEBORGSREGIONEN: "Göteborgsregionen",
    SubRegion.SJUHARAD: "Sjuhärad",
    SubRegion.SKARABORG: "Skaraborg",
}


@dataclass(frozen=True)
class Municipality:
    code: str
    name: str
    sub_region: SubRegion


_FYR, _GR, _SJU, _SKB = (
    SubRegion.FYRBODAL,
    SubRegion.GOTEBORGSREGIONEN,
    SubRegion.SJUHARAD,
    SubRegion.SKARABORG,
)

MUNICIPALITIES: tuple[Municipality, ...] = (
    Municipality("1401", "Härryda", _GR),
    Municipality("1402", "Partille", _GR),
    Municipality("1407", "Öckerö", _GR),
    Municipality("1415", "Stenungsund", _GR),
    Municipality("1419", "Tjörn", _GR),
    Municipality("1421", "Orust", _FYR),
    Municipality("1427", "Sotenäs", _FYR),
    Municipality("1430", "Munkedal", _FYR),
    Municipality("1435", "Tanum", _FYR),
    Municipality("1438", "Dals-Ed", _FYR),
    Municipality("1439", "Färgelanda", _FYR),
    Municipality("1440", "Ale", _GR),
    Municipality("1441", "Lerum", _GR),
    Municipality("1442", "Vårgårda", _SJU),
    Municipality("1443", "Bollebygd", _SJU),
    Municipality("1444", "Grästorp", _SKB),
    Municipality("1445", "Essunga", _SKB),
    Municipality("1446", "Karlsborg", _SKB),
    Municipality("1447", "Gullspång", _SKB),
    Municipality("1452", "Tranemo", _SJU),
    Municipality("1460", "Bengtsfors", _FYR),
    Municipality("1461", "Mellerud", _FYR),
    Municipality("1462", "Lilla Edet", _GR),
    Municipality("1463", "Mark", _SJU),
    Municipality("1465", "Svenljunga", _SJU),
    Municipality("1466", "Herrljunga", _SJU),
    Municipality("1470", "Vara", _SKB),
    Municipality("1471", "Götene", _SKB),
    Municipality("1472", "Tibro", _SKB),
    Municipality("1473", "Töreboda", _SKB),
    Municipality("1480", "Göteborg", _GR),
    Municipality("1481", "Mölndal", _GR),
    Municipality("1482", "Kungälv", _GR),
    Municipality("1484", "Lysekil", _FYR),
    Municipality("1485", "Uddevalla", _FYR),
    Municipality("1486", "Strömstad", _FYR),
    Municipality("1487", "Vänersborg", _FYR),
    Municipality("1488", "Trollhättan", _FYR),
    Municipality("1489", "Alingsås", _GR),
    Municipality("1490", "Borås", _SJU),
    Municipality("1491", "Ulricehamn", _SJU),
    Municipality("1492", "Åmål", _FYR),
    Municipality("1493", "Mariestad", _SKB),
    Municipality("1494", "Lidköping", _SKB),
    Municipality("1495", "Skara", _SKB),
    Municipality("1496", "Skövde", _SKB),
    Municipality("1497", "Hjo", _SKB),
    Municipality("1498", "Tidaholm", _SKB),
    Municipality("1499", "Falköping", _SKB),
)

BY_CODE: dict[str, Municipality] = {municipality.code: municipality for municipality in MUNICIPALITIES}


def municipality(code: str) -> Municipality | None:
    """The municipality with SCB code ``code``, or None if it is not in Västra Götaland."""
    return BY_CODE.get(code)
