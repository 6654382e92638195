"""corpus-tools: Chinese trade-union report mining, from scraped pages to research tables."""

__version__ = "0.1.0"
