"""Entities and input types: the nouns every layer shares (one module per noun group)."""

from __future__ import annotations

from . import standing
from .articles import (
    Article,
    ArticleInput,
    Block,
    BlockType,
    Edit,
    EditInput,
    Image,
    IngestOutcome,
    IngestResult,
)
from .operations import (
    AuditEntry,
    FeedMode,
    FeedPulls,
    JobRun,
    NamedFeed,
    PollReport,
    PublishReport,
    Role,
    Source,
    SourceInput,
    Token,
)
from .translations import (
    Finding,
    Origin,
    Review,
    ReviewMode,
    Route,
    Severity,
    TranslatedBlock,
    TranslateReport,
    Translation,
    TranslationStatus,
)

__all__ = [
    "Article", "ArticleInput", "AuditEntry", "Block", "BlockType", "Edit", "EditInput",
    "FeedMode", "FeedPulls", "Finding", "Image", "IngestOutcome", "IngestResult", "JobRun",
    "NamedFeed", "Origin", "PollReport", "PublishReport", "Review", "ReviewMode", "Role",
    "Route", "Severity", "Source", "SourceInput", "Token", "TranslateReport", "TranslatedBlock",
    "Translation", "TranslationStatus", "standing",
]
