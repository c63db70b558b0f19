"""The static tables the demo shop is drawn from: vehicles, people, services and prices.

The demo is a mid-sized independent shop in Ontario: kilometres, Canadian dollars (in
cents), mostly North American-built cars with their real World Manufacturer Identifiers,
some European and Asian imports, and a few US imports still reading miles.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Model:
    make: str
    model: str
    #: Real WMIs (the first three VIN characters) of the plants that build this model.
    wmis: tuple[str, ...]
    first_year: int
    last_year: int
    #: How common the model is in the shop's car park (relative weight).
    weight: float = 1.0
    electric: bool = False
    #: Has a timing belt (rather than a chain) in the engines the shop sees.
    timing_belt: bool = False


MODELS: tuple[Model, ...] = (
    Model("Toyota", "Corolla", ("2T1", "5YF", "JTD"), 2008, 2025, 3.0),
    Model("Toyota", "Camry", ("4T1",), 2008, 2025, 2.0),
    Model("Toyota", "RAV4", ("2T3", "JTM"), 2009, 2025, 3.0),
    Model("Lexus", "RX 350", ("2T2", "JTJ"), 2010, 2024, 0.8),
    Model("Honda", "Civic", ("2HG", "19X"), 2008, 2025, 3.5),
    Model("Honda", "Accord", ("1HG",), 2008, 2022, 1.5),
    Model("Honda", "CR-V", ("2HK", "5J6"), 2009, 2025, 3.0),
    Model("Ford", "F-150", ("1FT",), 2009, 2025, 3.0),
    Model("Ford", "Escape", ("1FM",), 2009, 2024, 2.0),
    Model("Ford", "Explorer", ("1FM",), 2011, 2025, 1.2),
    Model("Ford", "Focus", ("1FA",), 2008, 2018, 1.0, timing_belt=False),
    Model("Chevrolet", "Silverado 1500", ("1GC", "3GC"), 2009, 2025, 2.0),
    Model("Chevrolet", "Equinox", ("2GN", "3GN"), 2010, 2025, 2.0),
    Model("Chevrolet", "Malibu", ("1G1",), 2010, 2023, 0.8),
    Model("GMC", "Sierra 1500", ("1GT", "3GT"), 2010, 2025, 1.0),
    Model("Ram", "1500", ("1C6", "3C6"), 2011, 2025, 1.8),
    Model("Jeep", "Grand Cherokee", ("1C4",), 2011, 2024, 1.2),
    Model("Dodge", "Grand Caravan", ("2C4",), 2008, 2020, 1.5),
    Model("Hyundai", "Elantra", ("KMH", "5NP"), 2010, 2025, 2.5),
    Model("Hyundai", "Tucson", ("KM8",), 2010, 2025, 1.8, timing_belt=False),
    Model("Kia", "Forte", ("3KP", "KNA"), 2010, 2024, 1.2),
    Model("Kia", "Sorento", ("5XY",), 2011, 2025, 1.2),
    Model("Nissan", "Rogue", ("JN8", "5N1"), 2009, 2025, 2.2),
    Model("Nissan", "Altima", ("1N4",), 2008, 2024, 1.0),
    Model("Nissan", "Sentra", ("3N1",), 2008, 2024, 1.2),
    Model("Mazda", "Mazda3", ("JM1", "3MZ"), 2008, 2025, 2.0),
    Model("Mazda", "CX-5", ("JM3",), 2013, 2025, 2.0),
    Model("Subaru", "Outback", ("4S4",), 2010, 2025, 1.2, timing_belt=True),
    Model("Subaru", "Forester", ("JF2",), 2009, 2025, 1.4, timing_belt=True),
    Model("Volkswagen", "Jetta", ("3VW",), 2008, 2025, 1.6, timing_belt=True),
    Model("Volkswagen", "Golf", ("3VW", "WVW"), 2008, 2021, 1.0, timing_belt=True),
    Model("Volkswagen", "Tiguan", ("WVG", "3VV"), 2009, 2025, 1.0),
    Model("BMW", "3 Series", ("WBA",), 2008, 2025, 0.8),
    Model("BMW", "X3", ("5UX", "WBX"), 2011, 2025, 0.7),
    Model("Mercedes-Benz", "C-Class", ("WDD", "55S"), 2008, 2025, 0.7),
    Model("Audi", "A4", ("WAU",), 2008, 2025, 0.6),
    Model("Audi", "Q5", ("WA1",), 2010, 2025, 0.6),
    Model("Volvo", "XC60", ("YV4",), 2010, 2025, 0.5, timing_belt=True),
    Model("Tesla", "Model 3", ("5YJ",), 2018, 2025, 0.8, electric=True),
    Model("Hyundai", "Kona Electric", ("KM8",), 2019, 2025, 0.4, electric=True),
)

FIRST_NAMES: tuple[str, ...] = (
    "Olivia", "Liam", "Emma", "Noah", "Charlotte", "William", "Amelia", "Benjamin", "Ava",
    "Lucas", "Sophia", "Ethan", "Chloe", "Jacob", "Zoe", "Samuel", "Priya", "Arjun", "Mei",
    "Wei", "Fatima", "Omar", "Aaliyah", "Mateo", "Isabella", "Luca", "Gabriel", "Élodie",
    "Mathieu", "Siobhan", "Connor", "Harpreet", "Gurpreet", "Anjali", "Kenji", "Yuna",
    "Dmitri", "Natalia", "Tomasz", "Agnieszka", "Kwame", "Amara", "Diego", "Lucía",
    "Hamza", "Leila", "Thanh", "Minh", "Jasmine", "Tyler", "Madison", "Ryan", "Hannah",
    "Nathan", "Grace", "Owen", "Emily", "Daniel", "Sarah", "Michael", "Jessica", "David",
    "Jennifer", "Robert", "Linda", "Marc", "Sylvie", "Raj", "Sunita", "Ahmed", "Noor",
)
LAST_NAMES: tuple[str, ...] = (
    "Smith", "Brown", "Tremblay", "Martin", "Roy", "Wilson", "MacDonald", "Gagnon",
    "Johnson", "Taylor", "Campbell", "Anderson", "Leblanc", "Lee", "Wong", "Chen", "Singh",
    "Patel", "Sharma", "Gill", "Nguyen", "Tran", "Kim", "Park", "Ali", "Khan", "Hussain",
    "Rossi", "Ferreira", "Silva", "Kowalski", "Nowak", "Ivanov", "Mensah", "Okafor",
    "Haddad", "Garcia", "Rodriguez", "Lopez", "O'Brien", "Murphy", "Fraser", "Stewart",
    "Thompson", "White", "Clarke", "Bouchard", "Côté", "Young", "King", "Scott", "Green",
    "Baker", "Hall", "Morrison", "Grant", "Reid", "Ross", "Hughes", "Mitchell", "Nakamura",
)
BUSINESSES: tuple[str, ...] = (
    "Maple Leaf Plumbing Ltd.", "Northshore Couriers Inc.", "Lakeview Property Management",
    "Don Valley Electric", "Bluewater Landscaping", "Humber Home Care",
    "Queen West Catering Co.", "Scarborough Flooring & Tile", "Greenbelt Florists",
    "Trillium Medical Supplies", "Etobicoke HVAC Services", "Danforth Bakery",
)
STREETS: tuple[str, ...] = (
    "Queen St W", "King St E", "Dundas St W", "Bloor St W", "Yonge St", "Bathurst St",
    "Danforth Ave", "Eglinton Ave E", "Lawrence Ave W", "Kingston Rd", "Lakeshore Blvd W",
    "Finch Ave E", "Sheppard Ave W", "Steeles Ave E", "Dufferin St", "Jane St", "Pape Ave",
    "Broadview Ave", "St Clair Ave W", "College St",
)
CITIES: tuple[str, ...] = ("Toronto", "Toronto", "Toronto", "Mississauga", "Markham",
                           "Vaughan", "Pickering", "Richmond Hill")
AREA_CODES: tuple[str, ...] = ("416", "647", "437", "905", "289")

TECHNICIANS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("Marco Rossi", ("engine", "diagnostics", "electrical"), "#1e88e5"),
    ("Priya Sharma", ("diagnostics", "electrical", "hybrid"), "#8e24aa"),
    ("Dave MacDonald", ("brakes", "suspension", "alignment"), "#43a047"),
    ("Kenji Nakamura", ("engine", "transmission"), "#f4511e"),
    ("Luc Tremblay", ("brakes", "tires", "maintenance"), "#00897b"),
    ("Amara Okafor", ("maintenance", "ac", "electrical"), "#fdd835"),
    ("Tomasz Nowak", ("suspension", "alignment", "tires"), "#6d4c41"),
    ("Sam Wilson", ("maintenance", "tires"), "#3949ab"),
)
#: A technician who left the shop (inactive): the history still names them.
FORMER_TECHNICIAN: tuple[str, tuple[str, ...], str] = ("Gordon Fraser", ("engine", "brakes"),
                                                       "#757575")
BAYS: tuple[tuple[str, str], ...] = (
    ("Bay 1", "lift"), ("Bay 2", "lift"), ("Bay 3", "lift"), ("Bay 4", "lift"),
    ("Bay 5 — alignment", "alignment"), ("Bay 6 — quick service", "quick"),
)

#: Shop labour rate in cents per hour (a Toronto independent, 2025–2026).
LABOR_RATE_CENTS = 15_500


@dataclass(frozen=True)
class Part:
    description: str
    quantity: float
    unit_price_cents: int


@dataclass(frozen=True)
class Service:
    """One job a car comes in for: a labour line, its parts, maybe a fee."""

    code: str  # key of this table
    description: str
    labor_hours: float
    parts: tuple[Part, ...] = ()
    #: The maintenance interval this service fulfils (``app.queries.maintenance``).
    service_code: str | None = None
    fee: tuple[str, int] | None = None
    ice_only: bool = False  # combustion engines only
    belt_only: bool = False
    finding: str = ""
    weight: float = 1.0
    maintenance: bool = False
    concern: str = ""
    skills: tuple[str, ...] = field(default=())


SERVICES: tuple[Service, ...] = (
    Service("oil", "Oil and filter change, synthetic 0W-20", 0.5,
            (Part("Synthetic oil 0W-20", 4.7, 1_349), Part("Oil filter", 1, 1_699)),
            "oil", ("Oil disposal fee", 450), ice_only=True, weight=10, maintenance=True,
            concern="Oil change due"),
    Service("rotation", "Rotate tires and set pressures", 0.5, (), "tire_rotation",
            weight=6, maintenance=True, concern="Tire rotation"),
    Service("cabin", "Replace cabin air filter", 0.3, (Part("Cabin air filter", 1, 4_299),),
            "cabin_filter", weight=3, maintenance=True),
    Service("air", "Replace engine air filter", 0.3, (Part("Engine air filter", 1, 3_899),),
            "air_filter", ice_only=True, weight=3, maintenance=True),
    Service("brake_fluid", "Flush brake fluid, DOT 4", 0.8, (Part("Brake fluid DOT 4", 1, 2_499),),
            "brake_fluid", weight=2, maintenance=True),
    Service("coolant", "Drain and refill coolant", 1.0, (Part("Coolant, premixed", 6, 1_199),),
            "coolant", ice_only=True, weight=1, maintenance=True),
    Service("spark_plugs", "Replace spark plugs", 1.3, (Part("Iridium spark plug", 4, 2_199),),
            "spark_plugs", ice_only=True, weight=1, maintenance=True),
    Service("atf", "Drain and fill automatic transmission fluid", 1.0,
            (Part("ATF, full synthetic", 5, 1_599),), "transmission_fluid", ice_only=True,
            weight=0.8, maintenance=True),
    Service("timing_belt", "Replace timing belt kit and water pump", 4.5,
            (Part("Timing belt kit", 1, 32_999), Part("Water pump", 1, 14_999)), "timing_belt",
            ice_only=True, belt_only=True, weight=0.5, maintenance=True,
            concern="Timing belt due"),
    Service("inspection", "Ontario safety standards inspection", 1.0, (), weight=1.5,
            concern="Safety certificate for sale"),
    Service("brakes_front", "Replace front brake pads and rotors", 1.8,
            (Part("Front brake pads, ceramic", 1, 8_999), Part("Front brake rotor", 2, 10_999)),
            weight=4, finding="Front pads at 2 mm, rotors scored.",
            concern="Grinding noise when braking"),
    Service("brakes_rear", "Replace rear brake pads, service calipers", 1.5,
            (Part("Rear brake pads, ceramic", 1, 7_999), Part("Caliper hardware kit", 1, 2_499)),
            weight=2.5, finding="Rear pads at 3 mm, caliper slides seized."),
    Service("battery", "Replace battery, test charging system", 0.5,
            (Part("Battery group 24F, 750 CCA", 1, 23_999),), weight=2,
            fee=("Battery core charge", 2_000), finding="Battery failed load test (210 CCA).",
            concern="Slow to start in the morning"),
    Service("diag", "Diagnose check engine light", 1.0, (), weight=3, skills=("diagnostics",),
            concern="Check engine light on"),
    Service("o2", "Replace upstream oxygen sensor", 0.9, (Part("Oxygen sensor", 1, 18_999),),
            ice_only=True, weight=1, finding="P0133: upstream O2 sensor slow response."),
    Service("ignition_coil", "Replace ignition coil, cylinder 3", 0.6,
            (Part("Ignition coil", 1, 12_999),), ice_only=True, weight=1,
            finding="P0303 misfire, coil swapped cylinder 3 to 1, misfire followed."),
    Service("alternator", "Replace alternator", 2.1, (Part("Alternator, remanufactured", 1, 42_999),),
            ice_only=True, weight=0.8, finding="Charging voltage 12.1 V at idle."),
    Service("struts", "Replace front struts (complete assemblies)", 2.8,
            (Part("Front strut assembly", 2, 21_999),), weight=1.2,
            finding="Front struts leaking, bump noise.", concern="Clunk over bumps"),
    Service("alignment", "Four-wheel alignment", 1.0, (), weight=3, skills=("alignment",),
            concern="Pulls to the right"),
    Service("tie_rods", "Replace outer tie rod ends", 1.4, (Part("Outer tie rod end", 2, 6_999),),
            weight=1, finding="Outer tie rods loose, play at wheel."),
    Service("ac", "Evacuate and recharge A/C, leak test", 1.2,
            (Part("R-1234yf refrigerant (100 g)", 6, 2_999), Part("UV dye", 1, 1_499)),
            weight=1.5, concern="A/C blowing warm"),
    Service("tires", "Mount and balance four tires", 1.2, (Part("All-season tire 225/65R17", 4, 18_999),),
            weight=2, fee=("Tire disposal", 1_600), concern="Needs new tires"),
    Service("seasonal", "Seasonal tire changeover (on rims)", 0.6, (), weight=4,
            concern="Winter tire changeover"),
    Service("wipers", "Replace wiper blades", 0.2, (Part("Wiper blade", 2, 2_899),), weight=2),
    Service("exhaust", "Replace exhaust flex pipe", 1.6, (Part("Exhaust flex pipe", 1, 11_999),),
            ice_only=True, weight=0.7, finding="Flex pipe cracked, exhaust leak."),
    Service("clutch", "Replace clutch kit and flywheel", 6.5,
            (Part("Clutch kit", 1, 44_999), Part("Dual-mass flywheel", 1, 59_999)),
            ice_only=True, weight=0.4, finding="Clutch slipping under load, engages at the top.",
            concern="Clutch slipping"),
    Service("catalytic", "Replace catalytic converter", 2.4,
            (Part("Catalytic converter", 1, 129_999), Part("Exhaust gasket set", 1, 2_999)),
            ice_only=True, weight=0.5, finding="P0420: catalyst efficiency below threshold."),
    Service("valve_cover", "Replace valve cover gasket and spark plug tube seals", 2.2,
            (Part("Valve cover gasket set", 1, 8_999),), ice_only=True, weight=1,
            finding="Oil leaking from valve cover gasket onto the exhaust manifold.",
            concern="Burning oil smell"),
    Service("control_arms", "Replace front lower control arms", 2.6,
            (Part("Front lower control arm", 2, 15_999),), weight=0.8,
            finding="Front lower control arm bushings torn."),
    Service("water_pump", "Replace water pump and thermostat", 3.1,
            (Part("Water pump", 1, 16_999), Part("Thermostat and housing", 1, 8_999),
             Part("Coolant, premixed", 4, 1_199)), ice_only=True, weight=0.6,
            finding="Water pump weeping at the weep hole.", concern="Coolant leak"),
    Service("wheel_bearing", "Replace front wheel hub bearing", 1.7,
            (Part("Wheel hub bearing assembly", 1, 21_999),), weight=1,
            finding="Humming at speed, bearing has play.", concern="Humming noise at highway speed"),
)

SHOP_SUPPLIES = ("Shop supplies", 0.05, 3_500)  # 5 % of labour, at most $35

CLERK_NOTES: tuple[str, ...] = (
    "Customer will pick up after 5 pm.", "Called customer with the estimate; approved by phone.",
    "Customer is waiting in the lounge.", "Loaner car given, return by Friday.",
    "Customer asked to keep the old parts.", "Texted customer: car is ready.",
    "Customer reports noise only when cold.", "Fleet vehicle: PO number required on invoice.",
    "Key in the drop box.", "Customer declined the recommended work for now.",
)
FINDINGS_GENERAL: tuple[str, ...] = (
    "Front pads at 5 mm, check again next visit.", "Slight oil seep at valve cover gasket.",
    "Serpentine belt has minor cracks.", "Tires at 4/32 in, recommend replacement before winter.",
    "Battery tested good (620 CCA).", "Sway bar links worn, recommend replacement.",
    "Coolant condition good, protects to -37 °C.", "Cabin filter very dirty.",
    "Rear wiper blade torn.", "Road test OK, no codes stored.",
)
HOLD_NOTES: dict[str, str] = {
    "parts": "Waiting for parts from the supplier, ETA tomorrow morning.",
    "approval": "Estimate sent, waiting for the customer's approval.",
    "sublet": "Sent out for windshield replacement (sublet).",
    "other": "Customer asked us to wait until Monday.",
}
