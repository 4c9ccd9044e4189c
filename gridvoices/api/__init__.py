"""The Python API: open an ecosystem, import into it, ask it questions, write its outputs."""

from gridvoices.api.ecosystem import Ecosystem, NoData, connect, open  # noqa: A004
from gridvoices.api.results import Result

__all__ = ["Ecosystem", "NoData", "Result", "connect", "open"]
