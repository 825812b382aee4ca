"""Multilingual entity normalisation: find entity mentions and resolve them to canonical IDs.

>>> from normalizer import Normalizer
>>> r = Normalizer().normalize("Türkiye’ye")
>>> [(m.text, m.start, m.end, m.id) for m in r.mentions]
[('Türkiye', 0, 7, 'loc:turkey')]
"""

from .fold import Folded, Folder, default_folder, fold_key
from .pipeline import Normalizer
from .tables import Problem, TableError, load_tables
from .types import Alias, Candidate, Entity, Explanation, Mention, Result

__all__ = [
    "Alias",
    "Candidate",
    "Entity",
    "Explanation",
    "Folded",
    "Folder",
    "Mention",
    "Normalizer",
    "Problem",
    "Result",
    "TableError",
    "default_folder",
    "fold_key",
    "load_tables",
]
__version__ = "0.1.0"
