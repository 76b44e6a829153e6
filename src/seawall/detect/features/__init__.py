"""ParsedMessage -> named features, each mapped to the places it was found.

Features are computed once per message, in one pass, and every rule reads them. Like capa's
``{feature: {locations}}``, each feature keeps its hits: the value found and where
(``header:From``, ``link[3]``, ``attachment:invoice.zip/run.exe``, ``subject``, ``body``),
so a rule that matches can say exactly what triggered it. ``FEATURES`` documents every name;
the rule loader rejects a rule that uses a name not listed there.

The stage is split by what it reads: ``sender`` (From, Reply-To, authentication), ``links``
(where the reader is sent), ``content`` (HTML, attachments, the lexicon), all writing into one
collector (``context``) under names listed in ``catalogue``; ``extract`` runs them in order.
"""

from seawall.detect.features.catalogue import FEATURES, Features, FeatureValue, Hit
from seawall.detect.features.context import FeatureContext, data_lines
from seawall.detect.features.extract import extract_features

__all__ = ["FEATURES", "FeatureContext", "FeatureValue", "Features", "Hit", "data_lines", "extract_features"]
