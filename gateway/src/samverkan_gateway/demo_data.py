"""The demo region, generated from a seed: organisations, signatories, forum seats, a year of meetings, plans.

Pure data: no services, no I/O. ``region(today)`` returns the same rows for the
same ``today`` and seed, so two ``make up`` runs on one day load the same demo
and a test can count it by hand. Organisation names come from our own lists,
built from each municipality's name and its towns, so that every name fits the
municipality it is registered in ("Floda Hembygdsförening" in Lerum); people's
names and street names come from Faker's Swedish locale. Everything is
invented; e-mail addresses and web sites are under example.org.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from faker import Faker

SEED = 2014  # the year Överenskommelsen was signed
ORGANISATION_COUNT = 5_200
STOCKHOLM = ZoneInfo("Europe/Stockholm")
AGREEMENT_SIGNED = date(2014, 6, 1)

FYRBODAL, GR, SJUHARAD, SKARABORG = "fyrbodal", "goteborgsregionen", "sjuharad", "skaraborg"
SUB_REGION_LABELS = {FYRBODAL: "Fyrbodal", GR: "Göteborgsregionen", SJUHARAD: "Sjuhärad", SKARABORG: "Skaraborg"}


@dataclass(frozen=True)
class Place:
    """A municipality as the registry knows it, with its size (inhabitants, rounded) and its towns and districts."""

    code: str
    name: str
    sub_region: str
    population: int
    towns: tuple[str, ...]


# The registry's 49 municipalities (a test checks code, name and sub-region against it), with
# inhabitants rounded to the thousand and some of their towns, villages or city districts.
PLACES: tuple[Place, ...] = (
    Place("1401", "Härryda", GR, 39_000, ("Mölnlycke", "Landvetter", "Hindås", "Rävlanda", "Hällingsjö")),
    Place("1402", "Partille", GR, 41_000, ("Sävedalen", "Öjersjö", "Furulund", "Jonsered")),
    Place("1407", "Öckerö", GR, 13_000, ("Hönö", "Björkö", "Rörö", "Fotö", "Hälsö", "Källö-Knippla")),
    Place("1415", "Stenungsund", GR, 27_000, ("Jörlanda", "Ucklum", "Svenshögen", "Stora Höga")),
    Place("1419", "Tjörn", GR, 16_000, ("Skärhamn", "Kållekärr", "Klädesholmen", "Rönnäng", "Myggenäs")),
    Place("1421", "Orust", FYRBODAL, 15_000, ("Henån", "Ellös", "Svanesund", "Varekil", "Mollösund")),
    Place("1427", "Sotenäs", FYRBODAL, 9_000, ("Kungshamn", "Smögen", "Hunnebostrand", "Bovallstrand")),
    Place("1430", "Munkedal", FYRBODAL, 10_000, ("Hedekas", "Dingle", "Hällevadsholm", "Torreby")),
    Place("1435", "Tanum", FYRBODAL, 13_000, ("Grebbestad", "Fjällbacka", "Hamburgsund", "Tanumshede")),
    Place("1438", "Dals-Ed", FYRBODAL, 5_000, ("Ed", "Nössemark", "Rölanda")),
    Place("1439", "Färgelanda", FYRBODAL, 7_000, ("Högsäter", "Ödeborg", "Stigen")),
    Place("1440", "Ale", GR, 32_000, ("Nödinge", "Alafors", "Älvängen", "Nol", "Surte", "Bohus", "Skepplanda")),
    Place("1441", "Lerum", GR, 43_000, ("Gråbo", "Floda", "Stenkullen", "Tollered", "Sjövik")),
    Place("1442", "Vårgårda", SJUHARAD, 12_000, ("Kvinnestad", "Algutstorp", "Hol")),
    Place("1443", "Bollebygd", SJUHARAD, 10_000, ("Olsfors", "Töllsjö", "Hultafors")),
    Place("1444", "Grästorp", SKARABORG, 6_000, ("Tengene", "Flakeberg")),
    Place("1445", "Essunga", SKARABORG, 6_000, ("Nossebro", "Främmestad")),
    Place("1446", "Karlsborg", SKARABORG, 7_000, ("Mölltorp", "Undenäs", "Forsvik")),
    Place("1447", "Gullspång", SKARABORG, 5_000, ("Hova", "Otterbäcken", "Skagersvik")),
    Place("1452", "Tranemo", SJUHARAD, 12_000, ("Limmared", "Länghem", "Grimsås", "Dalstorp", "Ambjörnarp")),
    Place("1460", "Bengtsfors", FYRBODAL, 10_000, ("Billingsfors", "Skåpafors", "Dals Långed", "Bäckefors")),
    Place("1461", "Mellerud", FYRBODAL, 9_000, ("Åsensbruk", "Dalskog", "Kroppefjäll")),
    Place("1462", "Lilla Edet", GR, 14_000, ("Lödöse", "Göta", "Hjärtum")),
    Place("1463", "Mark", SJUHARAD, 35_000, ("Kinna", "Skene", "Örby", "Fritsla", "Horred", "Rydal")),
    Place("1465", "Svenljunga", SJUHARAD, 11_000, ("Mjöbäck", "Sexdrega", "Holsljunga", "Överlida")),
    Place("1466", "Herrljunga", SJUHARAD, 10_000, ("Ljung", "Annelund", "Eggvena")),
    Place("1470", "Vara", SKARABORG, 16_000, ("Kvänum", "Vedum", "Tråvad", "Larv")),
    Place("1471", "Götene", SKARABORG, 13_000, ("Källby", "Hällekis", "Lundsbrunn", "Husaby")),
    Place("1472", "Tibro", SKARABORG, 11_000, ("Ransberg", "Fågelås")),
    Place("1473", "Töreboda", SKARABORG, 9_000, ("Moholm", "Älgarås", "Halna")),
    Place(
        "1480",
        "Göteborg",
        GR,
        600_000,
        (
            "Majorna",
            "Haga",
            "Linné",
            "Angered",
            "Biskopsgården",
            "Frölunda",
            "Hisingen",
            "Kortedala",
            "Bergsjön",
            "Örgryte",
            "Härlanda",
            "Lundby",
            "Tynnered",
            "Askim",
            "Torslanda",
            "Backa",
            "Gamlestaden",
            "Johanneberg",
            "Guldheden",
            "Kålltorp",
            "Styrsö",
            "Hjällbo",
            "Lövgärdet",
            "Högsbo",
            "Kvillebäcken",
            "Tuve",
            "Kärra",
            "Eriksberg",
            "Masthugget",
            "Olskroken",
            "Gårdsten",
            "Västra Frölunda",
            "Brämaregården",
            "Vasastan",
            "Rannebergen",
        ),
    ),
    Place("1481", "Mölndal", GR, 71_000, ("Kållered", "Lindome", "Krokslätt", "Fässberg", "Bifrost", "Åby")),
    Place("1482", "Kungälv", GR, 48_000, ("Ytterby", "Kode", "Marstrand", "Diseröd", "Kareby")),
    Place("1484", "Lysekil", FYRBODAL, 14_000, ("Brastad", "Grundsund", "Fiskebäckskil", "Skaftö")),
    Place("1485", "Uddevalla", FYRBODAL, 57_000, ("Ljungskile", "Herrestad", "Dalaberg", "Skredsvik", "Forshälla")),
    Place("1486", "Strömstad", FYRBODAL, 13_000, ("Skee", "Koster", "Hogdal")),
    Place("1487", "Vänersborg", FYRBODAL, 40_000, ("Brålanda", "Vargön", "Frändefors", "Öxnered", "Restad")),
    Place("1488", "Trollhättan", FYRBODAL, 60_000, ("Sylte", "Lextorp", "Kronogården", "Sjuntorp", "Velanda")),
    Place("1489", "Alingsås", GR, 42_000, ("Sollebrunn", "Ingared", "Gräfsnäs", "Stora Mellby", "Bjärke")),
    Place(
        "1490",
        "Borås",
        SJUHARAD,
        115_000,
        (
            "Fristad",
            "Sandared",
            "Dalsjöfors",
            "Viskafors",
            "Sjömarken",
            "Brämhult",
            "Norrby",
            "Hässleholmen",
            "Äsperred",
        ),
    ),
    Place("1491", "Ulricehamn", SJUHARAD, 25_000, ("Gällstad", "Hökerum", "Timmele", "Dalum", "Blidsberg")),
    Place("1492", "Åmål", FYRBODAL, 12_000, ("Fengersfors", "Tösse", "Ånimskog")),
    Place("1493", "Mariestad", SKARABORG, 25_000, ("Hasslerör", "Lyrestad", "Sjötorp", "Ullervad")),
    Place("1494", "Lidköping", SKARABORG, 40_000, ("Järpås", "Örslösa", "Tun", "Saleby", "Filsbäck")),
    Place("1495", "Skara", SKARABORG, 19_000, ("Ardala", "Axvall", "Varnhem", "Eggby")),
    Place("1496", "Skövde", SKARABORG, 57_000, ("Skultorp", "Timmersdala", "Värsås", "Stöpen", "Tidan")),
    Place("1497", "Hjo", SKARABORG, 9_000, ("Korsberga", "Grevback", "Blikstorp")),
    Place("1498", "Tidaholm", SKARABORG, 13_000, ("Madängsholm", "Ekedalen", "Fröjered")),
    Place("1499", "Falköping", SKARABORG, 33_000, ("Floby", "Stenstorp", "Vartofta", "Kinnarp", "Åsarp")),
)
PLACE_BY_CODE = {place.code: place for place in PLACES}
# Where each sub-region's own organisations and meetings sit (the seat of its municipal association).
SUB_REGION_SEATS = {FYRBODAL: "1487", GR: "1480", SJUHARAD: "1490", SKARABORG: "1496"}
BIG = 30_000  # some kinds of organisation exist only in the larger municipalities


def genitive(name: str) -> str:
    """Swedish genitive: "Borås" stays, "Vänersborg" becomes "Vänersborgs"."""
    return name if name[-1] in "sxz" else name + "s"


# --- organisations --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    """A kind of organisation: its legal form, areas and tags, how its names and descriptions read."""

    key: str
    weight: float
    kind: str
    areas: tuple[str, ...]
    tags: tuple[str, ...]
    names: tuple[str, ...]
    description: str
    big_only: bool = False
    # Names formed from the municipality only, not its towns (a studieförbund's local branch, a parish).
    municipality_only: bool = False
    numbered: float = 0.92


CATEGORIES: tuple[Category, ...] = (
    Category(
        "sports",
        24,
        "ideell_forening",
        (),
        ("idrott", "barn och unga"),
        (
            "{P} IF",
            "{P} IK",
            "{P} BK",
            "IFK {P}",
            "{P} GoIF",
            "{P} Innebandyklubb",
            "{P} Handbollsklubb",
            "{P} Tennisklubb",
            "{P} Schackklubb",
            "{P} Ryttarförening",
            "{P} Simsällskap",
            "{P} Skidklubb",
            "{P} Orienteringsklubb",
            "{P} Friidrottsklubb",
            "{P} Bordtennisklubb",
            "{P} Cykelklubb",
            "{P} Brottarklubb",
            "{P} Bowlingklubb",
            "{P} Golfklubb",
            "{P} Kanotklubb",
            "{P} Boxningsklubb",
            "{P} Gymnastikförening",
            "{P} Skytteförening",
            "{P} Budoklubb",
            "{P} Volleybollklubb",
        ),
        "Idrottsförening i {P} med träning och tävling för barn, unga och vuxna.",
    ),
    Category(
        "heritage",
        8,
        "ideell_forening",
        ("culture", "regional_development"),
        ("hembygd", "kulturarv", "landsbygd"),
        (
            "{P} Hembygdsförening",
            "Föreningen {G} Hembygdsgille",
            "{P} Bygdegårdsförening",
            "Släktforskarna i {P}",
            "{P} Byalag",
            "{P} Fornminnesförening",
            "Bygdelaget {P}",
            "{P} Sockenråd",
        ),
        "Vi vårdar bygdens historia och samlingslokal och ordnar träffar för alla i {P}.",
    ),
    Category(
        "culture",
        12,
        "ideell_forening",
        ("culture",),
        ("kultur", "musik", "körsång", "teater", "konst"),
        (
            "{P} Kammarkör",
            "{P} Manskör",
            "{P} Blåsorkester",
            "Musiksällskapet i {P}",
            "{P} Teaterförening",
            "Konstföreningen i {P}",
            "Filmstudion i {P}",
            "{P} Spelmanslag",
            "{P} Folkdanslag",
            "{P} Fotoklubb",
            "Litteraturföreningen i {P}",
            "Kulturföreningen {P}",
            "{P} Amatörteater",
            "{P} Jazzklubb",
            "{P} Rockförening",
            "{P} Gospelkör",
        ),
        "Kulturförening i {P}: vi övar, spelar och bjuder in till föreställningar och kurser.",
    ),
    Category(
        "seniors",
        6,
        "ideell_forening",
        ("health_care", "public_transport"),
        ("äldre", "pensionärer"),
        (
            "PRO {P}",
            "SPF Seniorerna {P}",
            "SKPF Pensionärerna {P}",
            "Pensionärsföreningen i {P}",
            "RPG {P}",
        ),
        "Pensionärsförening i {P}: gemenskap, studiecirklar, resor och påverkan i frågor som rör äldre.",
    ),
    Category(
        "disability",
        8,
        "ideell_forening",
        ("health_care", "public_transport"),
        ("funktionsrätt", "patientförening"),
        (
            "FUB {P}",
            "Reumatikerföreningen i {P}",
            "Hjärt- och lungsjukas förening i {P}",
            "Neuroförbundet {P}",
            "Synskadades förening i {P}",
            "Autism- och Aspergerföreningen {P}",
            "Attention {P}",
            "Strokeföreningen i {P}",
            "Diabetesföreningen i {P}",
            "DHR {P}",
            "Hörselskadades förening i {P}",
            "Astma- och Allergiföreningen i {P}",
            "Demensföreningen i {P}",
            "Parkinsonföreningen i {P}",
            "RSMH {P}",
        ),
        "Intresseförening för personer med funktionsnedsättning och deras närstående i {P}.",
        municipality_only=True,
    ),
    Category(
        "support",
        5,
        "ideell_forening",
        ("health_care",),
        ("stöd", "jämställdhet", "trygghet"),
        (
            "Röda Korset {P}",
            "Kvinnojouren i {P}",
            "Tjejjouren {P}",
            "Brottsofferjouren {P}",
            "Länkarna i {P}",
            "Matbanken {P}",
        ),
        "Ideellt stöd och gemenskap för den som behöver det i {P}.",
        municipality_only=True,
    ),
    Category(
        "outdoors",
        6,
        "ideell_forening",
        ("regional_development",),
        ("friluftsliv", "natur", "miljö"),
        (
            "Naturskyddsföreningen i {P}",
            "Fältbiologerna {P}",
            "Friluftsfrämjandet {P}",
            "Odlingsföreningen i {P}",
            "Koloniföreningen {P}",
            "{P} Fiskevårdsförening",
            "{P} Båtklubb",
        ),
        "Friluftsliv och natur i {P}: vandringar, kurser och arbete för en levande miljö.",
    ),
    Category(
        "youth",
        6,
        "ideell_forening",
        ("culture",),
        ("barn och unga", "fritid"),
        (
            "{P} Scoutkår",
            "KFUM {P}",
            "Fritidsgårdsföreningen {P}",
            "Ungdomens hus {P}",
            "Föräldraföreningen i {P}",
        ),
        "Meningsfull fritid för barn och unga i {P}, med vuxna ledare som är ideella.",
    ),
    Category(
        "civic",
        4,
        "ideell_forening",
        ("regional_development",),
        ("lokalsamhälle",),
        ("Hyresgästföreningen {P}", "Lions Club {P}", "Rotaryklubben i {P}", "Företagarföreningen i {P}"),
        "Förening som arbetar för ett bättre lokalsamhälle i {P}.",
        municipality_only=True,
    ),
    Category(
        "minorities",
        3,
        "ideell_forening",
        ("culture",),
        ("nationella minoriteter", "språk"),
        (
            "Sverigefinska föreningen i {P}",
            "Finska föreningen i {P}",
            "Romska kulturföreningen i {P}",
            "Tornedalingar i {P}",
            "Judiska kulturföreningen i {P}",
        ),
        "Förening för en nationell minoritet i {P}: språk, kultur och samvaro.",
        municipality_only=True,
    ),
    Category(
        "integration",
        4,
        "ideell_forening",
        ("regional_development", "culture"),
        ("integration", "mångfald"),
        (
            "Somaliska kulturföreningen i {P}",
            "Kurdiska kulturföreningen i {P}",
            "Syrisk-svenska föreningen i {P}",
            "Eritreanska föreningen i {P}",
            "Bosniska kulturföreningen i {P}",
            "Afghanska föreningen i {P}",
            "Assyriska föreningen i {P}",
            "Internationella kvinnoföreningen i {P}",
            "Integrationsföreningen {P}",
        ),
        "Mötesplats för nya och gamla invånare i {P}: språkcaféer, läxhjälp och fest.",
        big_only=True,
        municipality_only=True,
    ),
    Category(
        "hbtqi",
        0.6,
        "ideell_forening",
        ("health_care",),
        ("hbtqi", "mångfald"),
        ("RFSL {P}", "Regnbågsföreningen i {P}"),
        "Förening för hbtqi-personers rättigheter och mötesplatser i {P}.",
        big_only=True,
        municipality_only=True,
    ),
    Category(
        "study",
        1.5,
        "ideell_forening",
        ("culture",),
        ("folkbildning", "studiecirklar"),
        ("ABF {P}", "Studiefrämjandet {P}", "Bilda {P}", "Medborgarskolan {P}", "Sensus {P}", "Vuxenskolan {P}"),
        "Studieförbundets avdelning i {P}: cirklar, kurser och kultur för vuxna.",
        municipality_only=True,
    ),
    Category(
        "foundation",
        6,
        "stiftelse",
        ("culture", "regional_development"),
        ("stiftelse", "samlingslokal"),
        (
            "Stiftelsen {P} Folkets hus",
            "Stiftelsen {P} Bygdegård",
            "Stiftelsen Kulturhuset i {P}",
            "Stiftelsen {P} Hembygdsgård",
            "Stiftelsen {P} Idrottshall",
            "Stiftelsen {F} och {F2} {S}s minnesfond i {P}",
            "Stiftelsen {S}ska fonden i {P}",
        ),
        "Stiftelse som förvaltar lokaler och medel till nytta för invånarna i {P}.",
    ),
    Category(
        "faith",
        5,
        "trossamfund",
        ("culture",),
        ("tro", "gemenskap"),
        (
            "Pingstförsamlingen i {P}",
            "Equmeniakyrkan {P}",
            "{P} Missionsförsamling",
            "EFS {P}",
        ),
        "Församling i {P} med gudstjänster, barn- och ungdomsverksamhet och diakoni.",
    ),
    Category(
        "faith_big",
        1.5,
        "trossamfund",
        ("culture",),
        ("tro", "mångfald"),
        (
            "Islamiska kulturföreningen i {P}",
            "Katolska församlingen i {P}",
            "Syrisk-ortodoxa församlingen i {P}",
            "Serbisk-ortodoxa församlingen i {P}",
            "Frälsningsarmén {P}",
            "Baptistförsamlingen i {P}",
            "Adventistkyrkan i {P}",
            "Svenska Alliansmissionen {P}",
        ),
        "Trossamfund i {P} med gudstjänster, undervisning och social verksamhet.",
        big_only=True,
        municipality_only=True,
    ),
    Category(
        "network",
        6,
        "natverk",
        ("regional_development",),
        ("nätverk", "volontärer"),
        (
            "Nätverket för ensamkommande i {P}",
            "Läxhjälpsnätverket {P}",
            "Klimatnätverket {P}",
            "Nätverket Äldre i {P}",
            "Föreningsnätverket {P}",
            "Integrationsnätverket i {P}",
            "Volontärnätverket {P}",
            "Landsbygdsnätverket {P}",
            "Nätverket Trygg i {P}",
        ),
        "Nätverk av eldsjälar och föreningar som samverkar i {P}.",
        numbered=0.25,
    ),
    Category(
        "cooperative",
        3,
        "other",
        ("regional_development",),
        ("social ekonomi", "kooperativ"),
        (
            "{P} Bygdekooperativ ekonomisk förening",
            "Arbetskooperativet {P}",
            "{P} Bygdeservice ekonomisk förening",
            "Sociala företaget {P} ekonomisk förening",
        ),
        "Kooperativ i {P} som ger arbete och service och återinvesterar sitt överskott i bygden.",
    ),
)
CATEGORY_BY_KEY = {category.key: category for category in CATEGORIES}
KIND_WORDS = {
    "ideell_forening": "ideell förening",
    "stiftelse": "stiftelse",
    "trossamfund": "trossamfund",
    "natverk": "nätverk",
    "other": "annan",
}
AREA_WORDS = {
    "health_care": "hälso- och sjukvård",
    "regional_development": "regional utveckling",
    "culture": "kultur",
    "public_transport": "kollektivtrafik",
}

# Regional umbrella organisations (invented), each seated in a municipality of the area its name gives.
REGIONAL: tuple[tuple[str, str, str, str], ...] = (
    ("Idéburna Väst", "natverk", "1480", "network"),
    ("Funktionsrättsalliansen Västra Götaland", "ideell_forening", "1480", "disability"),
    ("Pensionärsrådet Väst", "ideell_forening", "1480", "seniors"),
    ("Föreningsalliansen Skaraborg", "natverk", "1496", "network"),
    ("Föreningsalliansen Fyrbodal", "natverk", "1487", "network"),
    ("Föreningsalliansen Sjuhärad", "natverk", "1490", "network"),
    ("Bohusläns Hembygdsförbund", "ideell_forening", "1485", "heritage"),
    ("Dalslands Hembygdsförbund", "ideell_forening", "1492", "heritage"),
    ("Västergötlands Hembygdsförbund", "ideell_forening", "1495", "heritage"),
    ("Sjuhärads Hembygdsförbund", "ideell_forening", "1490", "heritage"),
    ("Amatörkulturens samråd Väst", "natverk", "1480", "culture"),
    ("Körförbundet Västra Götaland", "ideell_forening", "1480", "culture"),
    ("Idrottsalliansen Västra Götaland", "ideell_forening", "1480", "sports"),
    ("Sociala företag i Väst ekonomisk förening", "other", "1480", "cooperative"),
    ("Kooperativ utveckling Skaraborg ekonomisk förening", "other", "1496", "cooperative"),
    ("Kooperativ utveckling Fyrbodal ekonomisk förening", "other", "1488", "cooperative"),
    ("Kooperativ utveckling Sjuhärad ekonomisk förening", "other", "1490", "cooperative"),
    ("Kvinno- och tjejjourer i Väst", "natverk", "1480", "support"),
    ("Romska rådet i Västra Götaland", "natverk", "1480", "minorities"),
    ("Sverigefinnarnas samarbetsråd i Väst", "ideell_forening", "1488", "minorities"),
    ("Regnbågsnätverket Väst", "natverk", "1480", "hbtqi"),
    ("Trossamfundens råd i Västra Götaland", "natverk", "1480", "faith"),
    ("Ungdomsrådet Skaraborg", "ideell_forening", "1496", "youth"),
    ("Studieförbunden i Västra Götaland", "ideell_forening", "1480", "study"),
    ("Landsbygdsrörelsen Västra Götaland", "ideell_forening", "1499", "network"),
    ("Brukarrådet för psykisk hälsa i Väst", "ideell_forening", "1480", "disability"),
    ("Bygdegårdarnas distrikt Västra Götaland", "ideell_forening", "1470", "heritage"),
    ("Integrationsforum Väst", "natverk", "1480", "integration"),
)


@dataclass(frozen=True)
class Organisation:
    name: str
    kind: str
    municipality_code: str
    category: str
    organisation_number: str | None = None
    areas: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    founded_year: int | None = None
    description: str = ""
    website: str = ""
    contact_email: str = ""
    regional: bool = False


def luhn_digit(body: str) -> str:
    """The Luhn check digit that makes ``body`` + digit valid."""
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def organisation_number(generator: random.Random, first: str) -> str:
    """A valid organisation number starting with ``first``: third digit 2 or more, Luhn check digit last."""
    body = first + str(generator.randint(0, 9)) + str(generator.randint(2, 9)) + f"{generator.randint(0, 999_999):06d}"
    digits = body + luhn_digit(body)
    return f"{digits[:6]}-{digits[6:]}"


def ascii_slug(text: str, limit: int = 40) -> str:
    """Lower-case ASCII letters and digits only, for example.org addresses: "Åmål IF" gives "amalif"."""
    folded = text.lower().translate(str.maketrans("åäöéüæø", "aaoeuao"))
    return "".join(char for char in folded if char.isascii() and char.isalnum())[:limit]


def _allocate(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """``total`` split by ``weights`` (largest remainder), each share at least ``minimum``."""
    spare = total - minimum * len(weights)
    exact = [spare * weight / sum(weights) for weight in weights]
    shares = [int(value) for value in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (exact[i] - shares[i], -i), reverse=True)
    for i in by_remainder[: spare - sum(shares)]:
        shares[i] += 1
    return [minimum + share for share in shares]


def _fill(template: str, place: str, fake: Faker) -> str:
    if "{F}" in template or "{S}" in template:
        return template.format(
            P=place, G=genitive(place), F=fake.first_name(), F2=fake.first_name(), S=fake.last_name()
        )
    return template.format(P=place, G=genitive(place))


def organisations(generator: random.Random, fake: Faker, count: int = ORGANISATION_COUNT) -> list[Organisation]:
    """``count`` organisations across every municipality, more where more people live, each name unique."""
    made: list[Organisation] = []
    names: set[str] = set()
    numbers: set[str] = set()

    def finish(name: str, kind: str, code: str, category: Category, regional: bool = False) -> None:
        number = None
        if regional or generator.random() < category.numbered:
            while number is None or number in numbers:
                # Associations, foundations and faith communities start with 8, economic associations with 7.
                number = organisation_number(generator, "7" if kind == "other" else "8")
            numbers.add(number)
        slug = ascii_slug(name)
        areas = tuple(area for area in category.areas if generator.random() < 0.7) or category.areas[:1]
        tags = tuple(generator.sample(category.tags, k=min(len(category.tags), generator.randint(1, 3))))
        names.add(name)
        made.append(
            Organisation(
                name=name,
                kind=kind,
                municipality_code=code,
                category=category.key,
                organisation_number=number,
                areas=areas,
                tags=tags,
                founded_year=generator.randint(1880, 2024),
                description="Regional samarbetsorganisation som samlar föreningar och människor i hela sitt område."
                if regional
                else category.description.format(P=PLACE_BY_CODE[code].name),
                website=f"https://{slug}.example.org" if generator.random() < 0.45 else "",
                contact_email=f"{generator.choice(('info', 'kontakt', 'styrelsen', 'ordforande'))}@{slug}.example.org"
                if generator.random() < 0.8
                else "",
                regional=regional,
            )
        )

    for name, kind, code, category_key in REGIONAL:
        finish(name, kind, code, CATEGORY_BY_KEY[category_key], regional=True)
    shares = _allocate(count - len(REGIONAL), [place.population**0.75 for place in PLACES], minimum=15)
    for place, share in zip(PLACES, shares, strict=True):
        categories = [c for c in CATEGORIES if not c.big_only or place.population >= BIG]
        weights = [c.weight for c in categories]
        made_here = 0
        while made_here < share:
            category = generator.choices(categories, weights)[0]
            town = place.name
            if not category.municipality_only and place.towns and generator.random() < 0.55:
                town = generator.choice(place.towns)
            name = _fill(generator.choice(category.names), town, fake)
            if name in names:
                continue
            finish(name, category.kind, place.code, category)
            made_here += 1
    return made


CSV_HEADINGS = (
    "Namn",
    "Organisationsnummer",
    "Kommunkod",
    "Typ",
    "Intresseområden",
    "Taggar",
    "Grundad",
    "Beskrivning",
    "Webbplats",
    "E-post",
)


def organisations_csv(rows: Sequence[Organisation]) -> bytes:
    """The organisations as a register file the registry's import reads (UTF-8, semicolons)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADINGS)
    for o in rows:
        writer.writerow(
            [
                o.name,
                o.organisation_number or "",
                o.municipality_code,
                KIND_WORDS[o.kind],
                "|".join(AREA_WORDS[area] for area in o.areas),
                "|".join(o.tags),
                str(o.founded_year or ""),
                o.description,
                o.website,
                o.contact_email,
            ]
        )
    return out.getvalue().encode("utf-8")


# --- forums and their seats -----------------------------------------------------------------------

# The forums of the real structure beyond those the small demo has (see demo.FORUMS): the five samråd
# under BMR, the user councils in health care, culture networks and an occasional public-transport dialogue.
REGION_FORUMS: list[dict[str, Any]] = [
    {
        "slug": "samrad-funktionsratt",
        "name": "Samråd med funktionsrättsorganisationer",
        "owner_committee": "BMR",
        "description": "Ett av de fem samråden under beredningen för mänskliga rättigheter.",
    },
    {
        "slug": "samrad-hbtqi",
        "name": "Samråd med hbtqi-organisationer",
        "owner_committee": "BMR",
        "description": "Ett av de fem samråden under beredningen för mänskliga rättigheter.",
    },
    {
        "slug": "samrad-nationella-minoriteter",
        "name": "Samråd med nationella minoriteter",
        "owner_committee": "BMR",
        "description": "Ett av de fem samråden under beredningen för mänskliga rättigheter: judar, romer, "
        "samer, sverigefinnar och tornedalingar.",
    },
    {
        "slug": "samrad-jamstalldhet",
        "name": "Samråd med kvinno- och jämställdhetsorganisationer",
        "owner_committee": "BMR",
        "description": "Ett av de fem samråden under beredningen för mänskliga rättigheter.",
    },
    {
        "slug": "samrad-tro-livsaskadning",
        "name": "Samråd med tros- och livsåskådningsorganisationer",
        "owner_committee": "BMR",
        "description": "Ett av de fem samråden under beredningen för mänskliga rättigheter.",
    },
    {
        "slug": "brukarrad-psykiatri",
        "name": "Brukarråd psykiatri",
        "owner_committee": "HSS",
        "description": "Brukarråd inom hälso- och sjukvården: patient- och närståendeföreningar möter psykiatrin.",
    },
    {
        "slug": "brukarrad-habilitering",
        "name": "Brukarråd habilitering",
        "owner_committee": "HSS",
        "description": "Brukarråd inom hälso- och sjukvården för habilitering och hälsa.",
    },
    {
        "slug": "kulturnatverk-amatorkultur",
        "name": "Nätverket för amatörkultur",
        "owner_committee": "KUN",
        "description": "Kulturnätverk under kulturnämnden för körer, orkestrar, teater och dans.",
    },
    {
        "slug": "kulturnatverk-kulturarv",
        "name": "Nätverket för kulturarv och hembygd",
        "owner_committee": "KUN",
        "description": "Kulturnätverk under kulturnämnden för hembygdsrörelsen och kulturarvet.",
    },
    {
        "slug": "kollektivtrafik-dialog",
        "name": "Dialog om kollektivtrafik",
        "owner_committee": "KTN",
        "description": "Enstaka dialoger om kollektivtrafik och infrastruktur med berörda organisationer.",
    },
]

# Who sits where: (forum, categories to draw from, sub-region or None, seats).
SEATS: tuple[tuple[str, tuple[str, ...], str | None, int], ...] = (
    ("ros-gruppen", ("network", "disability", "seniors", "heritage", "culture", "sports"), None, 5),
    ("ser", ("cooperative", "network", "study", "support"), None, 9),
    ("samrad-funktionsratt", ("disability",), None, 8),
    ("samrad-hbtqi", ("hbtqi",), None, 5),
    ("samrad-nationella-minoriteter", ("minorities",), None, 7),
    ("samrad-jamstalldhet", ("support",), None, 7),
    ("samrad-tro-livsaskadning", ("faith", "faith_big"), None, 7),
    ("drn-fyrbodal", ("network", "heritage", "sports", "youth", "seniors"), FYRBODAL, 6),
    ("drn-goteborgsregionen", ("network", "integration", "youth", "seniors", "support"), GR, 6),
    ("drn-sjuharad", ("network", "heritage", "sports", "youth", "seniors"), SJUHARAD, 6),
    ("drn-skaraborg", ("network", "heritage", "sports", "youth", "seniors"), SKARABORG, 6),
    ("pensionarsradet", ("seniors",), None, 7),
    ("brukarrad-psykiatri", ("disability",), None, 6),
    ("brukarrad-habilitering", ("disability",), None, 6),
    ("kulturnatverk-amatorkultur", ("culture",), None, 8),
    ("kulturnatverk-kulturarv", ("heritage",), None, 8),
    ("kollektivtrafik-dialog", ("seniors", "disability"), None, 6),
)


@dataclass(frozen=True)
class Signature:
    organisation: str
    signed_on: date
    withdrawn_on: date | None = None


@dataclass(frozen=True)
class Membership:
    organisation: str
    forum_slug: str
    role: str
    starts_on: date


@dataclass(frozen=True)
class Contact:
    organisation: str
    name: str
    email: str
    role: str
    legal_basis: str
    consent_given_on: date | None = None
    phone: str = ""


def _random_day(generator: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=generator.randint(0, max(0, (last - first).days)))


def signatures(generator: random.Random, rows: Sequence[Organisation], today: date) -> list[Signature]:
    """A few hundred signatories: every regional organisation, then others, some of whom withdrew."""
    numbered = [o for o in rows if o.organisation_number and not o.regional]
    chosen = [o for o in rows if o.regional] + generator.sample(numbered, 230)
    made = []
    for index, o in enumerate(chosen):
        signed = _random_day(generator, AGREEMENT_SIGNED, today - timedelta(days=30))
        withdrawn = None
        if index % 25 == 24:  # one in twenty-five has withdrawn since
            withdrawn = _random_day(generator, signed + timedelta(days=1), today - timedelta(days=1))
        made.append(Signature(o.name, signed, withdrawn))
    return made


def term_start(today: date) -> date:
    """The first day of the current political term (elections every fourth September since 2018)."""
    year = today.year - (today.year - 2019) % 4
    return date(year, 1, 1)


def memberships(
    generator: random.Random, rows: Sequence[Organisation], signed: Sequence[Signature], today: date
) -> list[Membership]:
    """Each forum's seats; RÖS-gruppen's five go to signatories, one of them the vice chair."""
    signatories = {s.organisation for s in signed if s.withdrawn_on is None}
    made: list[Membership] = []
    for slug, categories, sub_region, seats in SEATS:
        pool = [
            o
            for o in rows
            if o.category in categories
            and (sub_region is None or PLACE_BY_CODE[o.municipality_code].sub_region == sub_region)
            and (slug != "ros-gruppen" or o.name in signatories)
        ]
        # Regional organisations and signatories first, as a secretariat would invite them.
        pool.sort(key=lambda o: (not o.regional, o.name not in signatories, generator.random()))
        for index, o in enumerate(pool[:seats]):
            role = "vice_chair" if index == 0 and slug == "ros-gruppen" else "member"
            made.append(Membership(o.name, slug, role, term_start(today)))
    return made


# Numbers set aside for films and books (Post- och telestyrelsen): never anyone's telephone.
FICTION_PHONES = tuple(f"070-174 06 {n:02d}" for n in range(5, 100))


def contacts(
    generator: random.Random, fake: Faker, rows: Sequence[Organisation], names: Sequence[str], today: date
) -> list[Contact]:
    """One or two contact persons for each named organisation, at the organisation's example.org address."""
    by_name = {o.name: o for o in rows}
    made = []
    for name in names:
        slug = ascii_slug(by_name[name].name)
        for role in ("Ordförande", "Kontaktperson")[: generator.randint(1, 2)]:
            first, last = fake.first_name(), fake.last_name()
            consent = generator.random() < 0.4
            made.append(
                Contact(
                    organisation=name,
                    name=f"{first} {last}",
                    email=f"{ascii_slug(first, 20)}.{ascii_slug(last, 20)}@{slug}.example.org",
                    role=role,
                    legal_basis="consent" if consent else "legitimate_interest",
                    consent_given_on=_random_day(generator, today - timedelta(days=900), today) if consent else None,
                    phone=generator.choice(FICTION_PHONES) if generator.random() < 0.5 else "",
                )
            )
    return made


# --- a year of meetings ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """How a forum meets: how often, when in the day, at which level and step, on what topics, where."""

    slug: str
    label: str
    per_year: int
    months: tuple[int, ...]
    hours: tuple[int, int, int, int]  # start hour, start minute, end hour, end minute
    level: str
    step: str
    topics: tuple[str, ...]
    venues: tuple[str, ...] = ()  # municipality codes; empty: online only
    online: float = 0.3
    capacity: int | None = None


SPRING, AUTUMN = (2, 3, 4, 5, 6), (9, 10, 11, 12)
ALL_MONTHS = (1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12)
SCHEDULES: tuple[Schedule, ...] = (
    Schedule(
        "ros-gruppen",
        "RÖS-gruppen",
        8,
        ALL_MONTHS,
        (13, 0, 16, 0),
        "dialogue",
        "agenda_setting",
        (
            "planering av verksamhetsåret",
            "uppföljning av handlingsplanen",
            "inför stormötet",
            "årsuppföljningen till BMR",
            "kartläggning av civilsamhället",
            "hantering av IOP-förslag",
            "dialog med regionstyrelsen",
            "resurser för samverkan",
            "nivåer för dialog i nämnderna",
            "återkoppling från samråden",
        ),
        ("1480", "1487", "1496", "1490"),
        online=0.25,
    ),
    Schedule(
        "stormote",
        "Stormöte",
        2,
        (4, 10),
        (10, 0, 15, 30),
        "dialogue",
        "agenda_setting",
        ("överenskommelsen i praktiken", "civilsamhällets villkor i Västra Götaland"),
        ("1480", "1488", "1496", "1490"),
        online=0.0,
        capacity=180,
    ),
    Schedule(
        "bmr-samrad",
        "Gemensamt samråd",
        1,
        (5,),
        (13, 0, 16, 0),
        "consultation",
        "drafting",
        ("de fem samråden möter BMR",),
        ("1480",),
        capacity=60,
    ),
    *(
        Schedule(
            slug,
            label,
            4,
            (2, 4, 9, 11),
            (13, 30, 15, 30),
            "consultation",
            "drafting",
            topics,
            ("1480", "1487", "1496", "1490"),
            online=0.4,
            capacity=25,
        )
        for slug, label, topics in (
            (
                "samrad-funktionsratt",
                "Samråd funktionsrätt",
                ("tillgänglighet i vården", "habilitering för vuxna", "färdtjänst och sjukresor", "handlingsplan"),
            ),
            (
                "samrad-hbtqi",
                "Samråd hbtqi",
                ("hbtqi-kompetens i vården", "trygga mötesplatser", "Pride i hela regionen", "handlingsplan"),
            ),
            (
                "samrad-nationella-minoriteter",
                "Samråd nationella minoriteter",
                ("förvaltningsområden för finska", "romsk inkludering", "minoritetsspråk i vården", "handlingsplan"),
            ),
            (
                "samrad-jamstalldhet",
                "Samråd jämställdhet",
                ("mäns våld mot kvinnor", "jämställd vård", "stöd till kvinnojourer", "handlingsplan"),
            ),
            (
                "samrad-tro-livsaskadning",
                "Samråd tro och livsåskådning",
                ("andlig vård på sjukhus", "krisberedskap", "trossamfund i civilförsvaret", "handlingsplan"),
            ),
        )
    ),
    Schedule(
        "ser",
        "SER",
        5,
        (2, 3, 5, 9, 11),
        (9, 30, 12, 0),
        "partnership",
        "implementation",
        (
            "idéburet offentligt partnerskap",
            "sociala företag och arbetsintegrering",
            "reserverad upphandling",
            "kulturstrategin",
            "den sociala ekonomins villkor",
        ),
        ("1480", "1496", "1488", "1490"),
        capacity=30,
    ),
    *(
        Schedule(
            f"drn-{sub_region}",
            f"DRN {SUB_REGION_LABELS[sub_region]}",
            4,
            (3, 5, 9, 11),
            (18, 0, 20, 0),
            "dialogue",
            "agenda_setting",
            ("dialogträff", "landsbygdens föreningsliv", "unga och fritid", "delregionala prioriteringar"),
            tuple(place.code for place in PLACES if place.sub_region == sub_region),
            online=0.2,
            capacity=40,
        )
        for sub_region in (FYRBODAL, GR, SJUHARAD, SKARABORG)
    ),
    Schedule(
        "pensionarsradet",
        "Pensionärsrådet",
        5,
        (2, 4, 6, 9, 11),
        (10, 0, 12, 30),
        "consultation",
        "drafting",
        ("tillgänglig kollektivtrafik", "vårdcentralernas öppettider", "digital vård för äldre", "budget"),
        ("1480", "1487", "1496"),
        online=0.1,
    ),
    Schedule(
        "brukarrad-psykiatri",
        "Brukarråd psykiatri",
        4,
        (3, 5, 10, 12),
        (14, 0, 16, 0),
        "dialogue",
        "implementation",
        ("heldygnsvården", "samordnad individuell plan", "suicidprevention", "brukarrevision"),
        ("1480", "1490", "1488"),
    ),
    Schedule(
        "brukarrad-habilitering",
        "Brukarråd habilitering",
        4,
        (2, 5, 9, 12),
        (14, 0, 16, 0),
        "dialogue",
        "implementation",
        ("väntetider", "övergång från barn- till vuxenhabilitering", "hjälpmedel", "kommunikationsstöd"),
        ("1480", "1496", "1485"),
    ),
    Schedule(
        "kulturnatverk-amatorkultur",
        "Amatörkulturnätverket",
        3,
        (3, 6, 10),
        (17, 30, 20, 0),
        "information",
        "implementation",
        ("regionens kulturstöd", "lokaler för repetition", "amatörkulturens dag"),
        ("1480", "1490", "1494"),
        capacity=50,
    ),
    Schedule(
        "kulturnatverk-kulturarv",
        "Kulturarvsnätverket",
        3,
        (3, 6, 10),
        (17, 30, 20, 0),
        "information",
        "implementation",
        ("hembygdsgårdarnas framtid", "digitalisering av arkiv", "kulturmiljöer på landsbygden"),
        ("1495", "1485", "1492", "1490"),
        capacity=50,
    ),
    Schedule(
        "kollektivtrafik-dialog",
        "Kollektivtrafik",
        2,
        (3, 10),
        (13, 0, 15, 0),
        "consultation",
        "drafting",
        ("trafikförsörjningsprogrammet", "tillgängliga hållplatser"),
        ("1480", "1488"),
        online=0.5,
    ),
)

VENUES = ("Regionens hus", "Folkets hus", "Stadsbiblioteket", "Kulturhuset", "Medborgarhuset", "Stadshuset")


def at(day: date, hour: int, minute: int = 0) -> str:
    """``day`` at ``hour``:``minute`` Stockholm time, with its offset, as the events service takes it."""
    return datetime.combine(day, time(hour, minute), STOCKHOLM).isoformat()


def _weekday_in(generator: random.Random, year: int, month: int) -> date:
    """A Tuesday, Wednesday or Thursday in ``month``, away from the month's very start and end."""
    days = [
        date(year, month, d)
        for d in range(4, 27)
        if date(year, month, d).weekday() in (1, 2, 3) and not (month == 6 and d > 20)
    ]
    return generator.choice(days)


def meeting_window(today: date) -> tuple[date, date]:
    """The demo's year of meetings: the whole of this calendar year, and at least half a year either side of today."""
    return min(date(today.year, 1, 1), today - timedelta(days=182)), max(
        date(today.year, 12, 31), today + timedelta(days=182)
    )


def meetings(seed: int, today: date) -> list[dict[str, Any]]:
    """Each forum's meetings in the window, year by year; a year's dates depend on the seed and the year only."""
    first, last = meeting_window(today)
    made: list[dict[str, Any]] = []
    for year in range(first.year, last.year + 1):
        for schedule in SCHEDULES:
            generator = random.Random(f"{seed}:{schedule.slug}:{year}")
            fake = Faker("sv_SE")
            fake.seed_instance(f"{seed}:{schedule.slug}:{year}")
            months = sorted(generator.sample(schedule.months, schedule.per_year))
            for index, month in enumerate(months):
                day = _weekday_in(generator, year, month)
                topic = schedule.topics[(index + year) % len(schedule.topics)]
                start_h, start_m, end_h, end_m = schedule.hours
                meeting: dict[str, Any] = {
                    "forum_slug": schedule.slug,
                    "title": f"{schedule.label}: {topic}",
                    "description": f"{schedule.label} samlas om {topic}. Dagordning och underlag skickas ut en "
                    "vecka före mötet.",
                    "starts_at": at(day, start_h, start_m),
                    "ends_at": at(day, end_h, end_m),
                    "level": schedule.level,
                    "step": schedule.step,
                }
                online = not schedule.venues or generator.random() < schedule.online
                if online:
                    meeting["online_url"] = f"https://meet.example.org/{schedule.slug}-{year}-{index + 1}"
                if schedule.venues and (not online or generator.random() < 0.5):
                    code = generator.choice(schedule.venues)
                    venue = generator.choice(VENUES)
                    meeting["location"] = (
                        f"{venue}, {fake.street_name()} {generator.randint(1, 40)}, {PLACE_BY_CODE[code].name}"
                    )
                    meeting["municipality_code"] = code
                if schedule.capacity:
                    meeting["capacity"] = schedule.capacity
                    meeting["registration_deadline"] = at(day - timedelta(days=7), 23, 59)
                if first <= day <= last:
                    made.append(meeting)
    made.sort(key=lambda m: (m["starts_at"], m["forum_slug"]))
    return made


@dataclass(frozen=True)
class Registration:
    meeting: int  # the meeting's index in the list of meetings
    organisation: str
    attendee_name: str
    attendee_email: str


def registrations(
    generator: random.Random,
    made_meetings: Sequence[dict[str, Any]],
    seats: Sequence[Membership],
    people: Sequence[Contact],
    today: date,
) -> list[Registration]:
    """Places taken in the coming meetings that still take registrations, by the forums' member organisations."""
    contact_of: dict[str, Contact] = {}
    for person in people:
        contact_of.setdefault(person.organisation, person)
    members: dict[str, list[str]] = {}
    for seat in seats:
        members.setdefault(seat.forum_slug, []).append(seat.organisation)
    everyone = sorted(contact_of)
    made = []
    for index, meeting in enumerate(made_meetings):
        deadline = meeting.get("registration_deadline")
        if not deadline or datetime.fromisoformat(deadline).date() <= today:
            continue
        candidates = [name for name in members.get(meeting["forum_slug"], []) if name in contact_of] or everyone
        wanted = 25 if meeting["forum_slug"] == "stormote" else generator.randint(2, 5)
        for name in generator.sample(candidates if len(candidates) >= wanted else everyone, wanted):
            person = contact_of[name]
            made.append(Registration(index, name, person.name, person.email))
    return made


def cancellations(generator: random.Random, made_meetings: Sequence[dict[str, Any]]) -> list[int]:
    """About one meeting in thirty is cancelled; never a stormöte, and never one that takes registrations."""
    return [
        index
        for index, meeting in enumerate(made_meetings)
        if meeting["forum_slug"] != "stormote" and "capacity" not in meeting and generator.random() < 1 / 30
    ]


# --- dialogue plans at every stage ----------------------------------------------------------------

ANSWERS = {"decision_open": "yes", "meeting_resources": "yes", "legal_duty": "no"}


def _answers(**answers: str) -> dict[str, str]:
    return {**ANSWERS, **answers}


# (committee, issue, answers, areas, forum, who to invite: categories, stage).
PLANS: tuple[tuple[str, str, dict[str, str], tuple[str, ...], str, tuple[str, ...], str], ...] = (
    (
        "BMR",
        "Regional handlingsplan för nationella minoriteter 2027–2030",
        _answers(
            step="agenda_setting",
            negotiable="what",
            mandate="some",
            contested="some",
            affected="groups",
            knowledge="partly",
            shared_work="no",
            time_to_decision="over_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        (),
        "samrad-nationella-minoriteter",
        ("minorities",),
        "planned",
    ),
    (
        "KTN",
        "Tillgängliga hållplatser på landsbygden",
        _answers(
            step="drafting",
            negotiable="how",
            mandate="some",
            contested="low",
            affected="many",
            knowledge="partly",
            shared_work="no",
            time_to_decision="two_to_six_months",
            compensation="no",
            facilitation="yes",
        ),
        ("public_transport",),
        "kollektivtrafik-dialog",
        ("seniors", "disability"),
        "planned",
    ),
    (
        "DRN Sjuhärad",
        "Föreningslivets lokaler i Sjuhärad",
        _answers(
            step="agenda_setting",
            negotiable="whether",
            mandate="shared_responsibility",
            contested="low",
            affected="groups",
            knowledge="yes",
            shared_work="yes",
            time_to_decision="over_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("regional_development",),
        "drn-sjuharad",
        ("heritage", "network"),
        "planned",
    ),
    (
        "HSS",
        "Samordnad individuell plan i psykiatrin",
        _answers(
            step="implementation",
            negotiable="how",
            mandate="some",
            contested="some",
            affected="groups",
            knowledge="yes",
            shared_work="yes",
            time_to_decision="two_to_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("health_care",),
        "brukarrad-psykiatri",
        ("disability",),
        "meetings_booked",
    ),
    (
        "KUN",
        "Regionalt kulturstöd till amatörkulturen",
        _answers(
            step="drafting",
            negotiable="what",
            mandate="some",
            contested="some",
            affected="groups",
            knowledge="partly",
            shared_work="no",
            time_to_decision="two_to_six_months",
            compensation="no",
            facilitation="yes",
        ),
        ("culture",),
        "kulturnatverk-amatorkultur",
        ("culture",),
        "meetings_booked",
    ),
    (
        "DRN Fyrbodal",
        "Unga och fritid i Fyrbodal",
        _answers(
            step="agenda_setting",
            negotiable="what",
            mandate="some",
            contested="low",
            affected="groups",
            knowledge="partly",
            shared_work="no",
            time_to_decision="over_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("regional_development",),
        "drn-fyrbodal",
        ("youth", "sports"),
        "meetings_booked",
    ),
    (
        "RS",
        "Nya öppettider i vårdcentralerna på landsbygden",
        _answers(
            step="decision",
            negotiable="how",
            mandate="some",
            shared_work="no",
            time_to_decision="three_to_eight_weeks",
            legal_duty="yes",
        ),
        ("health_care",),
        "pensionarsradet",
        ("seniors",),
        "outcome_recorded",
    ),
    (
        "BMR",
        "Hbtqi-kompetens i vården",
        _answers(
            step="drafting",
            negotiable="what",
            mandate="some",
            contested="high",
            affected="groups",
            knowledge="partly",
            shared_work="no",
            time_to_decision="two_to_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("health_care",),
        "samrad-hbtqi",
        ("hbtqi",),
        "outcome_recorded",
    ),
    (
        "RUN",
        "Sociala företag i den regionala utvecklingsstrategin",
        _answers(
            step="implementation",
            negotiable="how",
            mandate="shared_responsibility",
            contested="low",
            affected="groups",
            knowledge="yes",
            shared_work="yes",
            time_to_decision="over_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("regional_development",),
        "ser",
        ("cooperative",),
        "outcome_recorded",
    ),
    (
        "KUN",
        "Idéburet offentligt partnerskap om hembygdsgårdar",
        _answers(
            step="implementation",
            negotiable="how",
            mandate="shared_responsibility",
            contested="low",
            affected="groups",
            knowledge="yes",
            shared_work="yes",
            time_to_decision="over_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("culture",),
        "kulturnatverk-kulturarv",
        ("heritage",),
        "feedback_given",
    ),
    (
        "BMR",
        "Tillgänglighet i vårdens lokaler",
        _answers(
            step="drafting",
            negotiable="what",
            mandate="some",
            contested="some",
            affected="many",
            knowledge="partly",
            shared_work="no",
            time_to_decision="two_to_six_months",
            compensation="yes",
            facilitation="yes",
        ),
        ("health_care",),
        "samrad-funktionsratt",
        ("disability",),
        "feedback_given",
    ),
    (
        "DRN Skaraborg",
        "Landsbygdens föreningsliv i Skaraborg",
        _answers(
            step="monitoring",
            negotiable="how",
            mandate="some",
            contested="low",
            affected="groups",
            knowledge="yes",
            shared_work="no",
            time_to_decision="two_to_six_months",
            compensation="no",
            facilitation="yes",
        ),
        ("regional_development",),
        "drn-skaraborg",
        ("heritage", "network", "sports"),
        "feedback_given",
    ),
)

STAGES = ("planned", "meetings_booked", "outcome_recorded", "feedback_given")
PRINCIPLES = ("independence", "dialogue", "quality", "long_term", "openness", "diversity")
# How long before today each stage's plans started, in days (earlier stages are younger).
STAGE_AGE = {
    "planned": (3, 20),
    "meetings_booked": (20, 60),
    "outcome_recorded": (90, 150),
    "feedback_given": (150, 240),
}


def plans(
    generator: random.Random, rows: Sequence[Organisation], seats: Sequence[Membership], today: date
) -> list[dict[str, Any]]:
    """A dozen dialogue plans, three at each stage: saved, meetings booked, outcome recorded, feedback given."""
    members: dict[str, list[str]] = {}
    for seat in seats:
        members.setdefault(seat.forum_slug, []).append(seat.organisation)
    made = []
    for committee, issue, answers, areas, forum, categories, stage in PLANS:
        starts_on = today - timedelta(days=generator.randint(*STAGE_AGE[stage]))
        forum_seats = members.get(forum, [])
        others = sorted(o.name for o in rows if o.category in categories and o.name not in forum_seats)
        invite = forum_seats[:4] + generator.sample(others, 4)
        plan: dict[str, Any] = {
            "stage": stage,
            "answers": answers,
            "plan": {
                "committee": committee,
                "issue": issue,
                "starts_on": starts_on.isoformat(),
                "areas": list(areas),
                "forum_slugs": [forum],
            },
            "invite": invite,
            # Later stages have ticked off more of Överenskommelsen's six principles.
            "principles_checked": list(PRINCIPLES[: 2 * STAGES.index(stage)]),
            "meetings": [],
            "outcome": None,
        }
        schedule = next(s for s in SCHEDULES if s.slug == forum)
        if stage != "planned":
            # Booked plans meet in the coming weeks; the others met a month or two after they started.
            day = (
                today + timedelta(days=generator.randint(10, 40))
                if stage == "meetings_booked"
                else starts_on + timedelta(days=generator.randint(30, 60))
            )
            while day.weekday() > 3:
                day += timedelta(days=1)
            code = schedule.venues[0] if schedule.venues else "1480"
            plan["meetings"].append(
                {
                    "forum_slug": forum,
                    "title": f"{committee}: {issue}",
                    "description": f"Dialog om {issue[0].lower() + issue[1:]} med de inbjudna organisationerna.",
                    "starts_at": at(day, 13),
                    "ends_at": at(day, 15, 30),
                    "location": f"Regionens hus, {PLACE_BY_CODE[code].name}",
                }
            )
        if stage in ("outcome_recorded", "feedback_given"):
            met = datetime.fromisoformat(plan["meetings"][0]["starts_at"]).date()
            feedback_on = (
                today + timedelta(days=generator.randint(7, 21))
                if stage == "outcome_recorded"
                else met + timedelta(days=generator.randint(14, 30))
            )
            plan["outcome"] = {
                "outcome": f"Organisationerna lämnade förslag om {issue[0].lower() + issue[1:]}. Två av tre förslag "
                "togs med i underlaget till nämnden; det tredje ryms inte i budgeten i år men prövas igen nästa år.",
                "feedback": "Tack för era synpunkter. Här är vad vi tog med, vad vi inte tog med och varför, och när "
                "nämnden fattar beslut.",
                "feedback_on": feedback_on.isoformat(),
            }
        made.append(plan)
    return made


# --- all of it -----------------------------------------------------------------------------------


@dataclass
class Region:
    organisations: list[Organisation]
    signatures: list[Signature]
    memberships: list[Membership]
    contacts: list[Contact]
    forums: list[dict[str, Any]]
    meetings: list[dict[str, Any]]
    registrations: list[Registration]
    plans: list[dict[str, Any]]
    # Meetings (by index) cancelled after they were announced, as some are in any year.
    cancelled: list[int]


def region(today: date, seed: int = SEED) -> Region:
    """The whole demo region for ``today``: the same rows for the same ``today`` and ``seed``."""

    def stream(name: str) -> random.Random:
        return random.Random(f"{seed}:{name}")

    def faker(name: str) -> Faker:
        fake = Faker("sv_SE")
        fake.seed_instance(f"{seed}:{name}")
        return fake

    rows = organisations(stream("organisations"), faker("organisations"))
    signed = signatures(stream("signatures"), rows, today)
    seats = memberships(stream("memberships"), rows, signed, today)
    # Contact persons for the organisations the region talks to most: the regional ones and those with a seat.
    with_contacts = list(dict.fromkeys([o.name for o in rows if o.regional] + [m.organisation for m in seats]))
    people = contacts(stream("contacts"), faker("contacts"), rows, with_contacts, today)
    made_meetings = meetings(seed, today)
    return Region(
        organisations=rows,
        signatures=signed,
        memberships=seats,
        contacts=people,
        forums=REGION_FORUMS,
        meetings=made_meetings,
        registrations=registrations(stream("registrations"), made_meetings, seats, people, today),
        plans=plans(stream("plans"), rows, seats, today),
        cancelled=cancellations(stream("cancellations"), made_meetings),
    )
