"""What the demo data is made of, by subject: `names` (people and companies), `market`
(industries, categories, cities, segments, tags), `touchpoints`, `notes` (wiki pages) and
`showcase` (hand-made customers). Data only: the generator modules beside this package draw
from these lists with the seeded random generator, so the lists' order is part of the output.
"""
