"""DST municipality codes (kommunekoder, valid from 1 January 2007) and their regions.

Region codes: 81 Nordjylland, 82 Midtjylland, 83 Syddanmark, 84 Hovedstaden, 85 Sjælland.
411 Christiansø is not a municipality but has its own code and is accepted.
"""

from __future__ import annotations

REGIONS: dict[int, str] = {
    81: "Region Nordjylland",
    82: "Region Midtjylland",
    83: "Region Syddanmark",
    84: "Region Hovedstaden",
    85: "Region Sjælland",
}

# code: (name, region code)
MUNICIPALITIES: dict[int, tuple[str, int]] = {
    101: ("København", 84), 147: ("Frederiksberg", 84), 151: ("Ballerup", 84),
    153: ("Brøndby", 84), 155: ("Dragør", 84), 157: ("Gentofte", 84), 159: ("Gladsaxe", 84),
    161: ("Glostrup", 84), 163: ("Herlev", 84), 165: ("Albertslund", 84), 167: ("Hvidovre", 84),
    169: ("Høje-Taastrup", 84), 173: ("Lyngby-Taarbæk", 84), 175: ("Rødovre", 84),
    183: ("Ishøj", 84), 185: ("Tårnby", 84), 187: ("Vallensbæk", 84), 190: ("Furesø", 84),
    201: ("Allerød", 84), 210: ("Fredensborg", 84), 217: ("Helsingør", 84),
    219: ("Hillerød", 84), 223: ("Hørsholm", 84), 230: ("Rudersdal", 84), 240: ("Egedal", 84),
    250: ("Frederikssund", 84), 253: ("Greve", 85), 259: ("Køge", 85), 260: ("Halsnæs", 84),
    265: ("Roskilde", 85), 269: ("Solrød", 85), 270: ("Gribskov", 84), 306: ("Odsherred", 85),
    316: ("Holbæk", 85), 320: ("Faxe", 85), 326: ("Kalundborg", 85), 329: ("Ringsted", 85),
    330: ("Slagelse", 85), 336: ("Stevns", 85), 340: ("Sorø", 85), 350: ("Lejre", 85),
    360: ("Lolland", 85), 370: ("Næstved", 85), 376: ("Guldborgsund", 85),
    390: ("Vordingborg", 85), 400: ("Bornholm", 84), 410: ("Middelfart", 83),
    411: ("Christiansø", 84), 420: ("Assens", 83), 430: ("Faaborg-Midtfyn", 83),
    440: ("Kerteminde", 83), 450: ("Nyborg", 83), 461: ("Odense", 83), 479: ("Svendborg", 83),
    480: ("Nordfyns", 83), 482: ("Langeland", 83), 492: ("Ærø", 83), 510: ("Haderslev", 83),
    530: ("Billund", 83), 540: ("Sønderborg", 83), 550: ("Tønder", 83), 561: ("Esbjerg", 83),
    563: ("Fanø", 83), 573: ("Varde", 83), 575: ("Vejen", 83), 580: ("Aabenraa", 83),
    607: ("Fredericia", 83), 615: ("Horsens", 82), 621: ("Kolding", 83), 630: ("Vejle", 83),
    657: ("Herning", 82), 661: ("Holstebro", 82), 665: ("Lemvig", 82), 671: ("Struer", 82),
    706: ("Syddjurs", 82), 707: ("Norddjurs", 82), 710: ("Favrskov", 82), 727: ("Odder", 82),
    730: ("Randers", 82), 740: ("Silkeborg", 82), 741: ("Samsø", 82),
    746: ("Skanderborg", 82), 751: ("Aarhus", 82), 756: ("Ikast-Brande", 82),
    760: ("Ringkøbing-Skjern", 82), 766: ("Hedensted", 82), 773: ("Morsø", 81),
    779: ("Skive", 82), 787: ("Thisted", 81), 791: ("Viborg", 82), 810: ("Brønderslev", 81),
    813: ("Frederikshavn", 81), 820: ("Vesthimmerlands", 81), 825: ("Læsø", 81),
    840: ("Rebild", 81), 846: ("Mariagerfjord", 81), 849: ("Jammerbugt", 81),
    851: ("Aalborg", 81), 860: ("Hjørring", 81),
}  # fmt: skip


def municipality_name(code: int) -> str:
    return MUNICIPALITIES[code][0]


def municipalities_in_region(region: int) -> list[int]:
    return sorted(code for code, (_, r) in MUNICIPALITIES.items() if r == region)
