"""The job-ad record the scanner reads, and the problems it reports for records it cannot read.

The contract (issue 8): one ad per record with ``id``, ``title``, ``text``; optional ``company``,
``company_id``, ``city``, ``url``, ``posted_at``, ``lang``, ``phones``, ``emails``, ``handles``; and ``label``
(1 = deceptive or fraudulent, 0 = legitimate) for training and evaluation.

Job boards usually publish a few more structured fields. When a platform has them, the scanner uses them
for its structural features; every one is optional and an absent field is never read as "missing":

``salary``, ``benefits``, ``requirements``, ``openings`` (the ad's own fields), and ``company_info``
(the employer's self-description), ``company_scope`` (registered business scope), ``company_size``,
``company_reg`` (registration or credit code), ``company_status`` (registry status).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Free-text fields of an ad that red-flag patterns are searched in, in this order.
TEXT_FIELDS: tuple[str, ...] = ("title", "text", "salary", "benefits", "requirements")

#: Optional string fields of the contract and its structured extensions.
OPTIONAL_STRING_FIELDS: tuple[str, ...] = (
    "company",
    "company_id",
    "city",
    "url",
    "posted_at",
    "lang",
    "salary",
    "benefits",
    "requirements",
    "openings",
    "company_info",
    "company_scope",
    "company_size",
    "company_reg",
    "company_status",
)

#: Optional list fields: identifiers the platform already knows for the ad, and the PDQ hashes (64 hex) of
#: its images (matched against shared image signals; see recruitment/signals.py).
IDENTIFIER_LIST_FIELDS: tuple[str, ...] = ("phones", "emails", "handles", "image_pdq")


@dataclass(frozen=True, slots=True)
class JobAd:
    """One online job ad, as read from the input. ``line`` is where it starts in the input file."""

    id: str
    title: str
    text: str
    company: str | None = None
    company_id: str | None = None
    city: str | None = None
    url: str | None = None
    posted_at: str | None = None
    lang: str | None = None
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    handles: tuple[str, ...] = ()
    image_pdq: tuple[str, ...] = ()
    label: int | None = None
    salary: str | None = None
    benefits: str | None = None
    requirements: str | None = None
    openings: str | None = None
    company_info: str | None = None
    company_scope: str | None = None
    company_size: str | None = None
    company_reg: str | None = None
    company_status: str | None = None
    line: int = 0
    present: frozenset[str] = field(default_factory=frozenset)
    """Names of the optional fields the record carried (even if empty)."""

    def field_text(self, name: str) -> str:
        value = getattr(self, name)
        return value if isinstance(value, str) else ""

    @property
    def employer_key(self) -> str:
        """What groups ads by employer: the company id, else the company name, else nothing."""
        if self.company_id:
            return f"id:{self.company_id.strip()}"
        if self.company:
            return f"name:{self.company.strip()}"
        return ""


@dataclass(frozen=True, slots=True)
class MalformedRecord:
    """A record that could not be read; reported with its line number and skipped."""

    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"
