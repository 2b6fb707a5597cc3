"""Customer search: the index (documents, word lists), the full-text query builder shared
with the notes search, and ranked lookups that forgive typos, spelling variants and names
written in the other script («رحیمی» for "Rahimy").

Modules, in the order a search uses them: `query` parses what was typed, `candidates` asks
the index (`fulltext` writes the MATCH / tsquery text, `transliteration` gives name sound
keys), `ranking` scores and marks the hits, `find` puts it together. `documents` and
`index` build and maintain what is searched.
"""

from ckm.services.search.documents import FIELD_SEPARATOR, customer_document
from ckm.services.search.find import SearchHit, search_customer_ids
from ckm.services.search.fulltext import FullTextQuery
from ckm.services.search.index import index_customers, rebuild_customer_index
from ckm.services.search.transliteration import name_key

__all__ = [
    "FIELD_SEPARATOR",
    "FullTextQuery",
    "SearchHit",
    "customer_document",
    "index_customers",
    "name_key",
    "rebuild_customer_index",
    "search_customer_ids",
]
