"""English goods descriptions for CN23 by HS heading (4 digits) or chapter (2 digits), for products that carry
only a Russian title. Support can correct a declaration line in the admin before the manifest goes out."""

HEADINGS = {
    "2309": "Pet food",
    "3304": "Cosmetics, skin care",
    "3305": "Hair care products",
    "4202": "Bag",
    "6109": "T-shirt, knitted",
    "6110": "Sweater, knitted",
    "6201": "Coat / jacket",
    "6203": "Men's trousers / suit",
    "6204": "Women's dress / skirt",
    "6301": "Blanket",
    "6302": "Bed linen",
    "6307": "Textile article",
    "6403": "Leather footwear",
    "6404": "Textile footwear, sneakers",
    "6912": "Ceramic tableware",
    "7323": "Kitchenware, steel",
    "8205": "Hand tools",
    "8414": "Fan / air pump",
    "8436": "Agricultural / garden appliance",
    "8467": "Power tool",
    "8471": "Computer / laptop",
    "8509": "Household electric appliance",
    "8516": "Electric kitchen appliance",
    "8517": "Mobile phone / smartwatch",
    "8518": "Headphones / speaker",
    "8525": "Camera",
    "8708": "Car parts and accessories",
    "9015": "Measuring instrument",
    "9102": "Wrist watch",
    "9503": "Toy",
    "9506": "Sports equipment",
}
CHAPTERS = {
    "33": "Cosmetics",
    "39": "Plastic articles",
    "42": "Leather goods",
    "61": "Clothing, knitted",
    "62": "Clothing",
    "63": "Home textiles",
    "64": "Footwear",
    "69": "Ceramic articles",
    "73": "Steel articles",
    "82": "Tools",
    "84": "Machines and appliances",
    "85": "Electronics",
    "87": "Vehicle parts",
    "90": "Instruments",
    "91": "Watches",
    "94": "Furniture / lighting",
    "95": "Toys and sports goods",
    "96": "Miscellaneous articles",
}
FALLBACK = "Consumer goods"


def hs_english_name(hs_code: str) -> str:
    code = (hs_code or "").strip()
    return HEADINGS.get(code[:4]) or CHAPTERS.get(code[:2]) or FALLBACK
