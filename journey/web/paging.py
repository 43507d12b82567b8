"""What every paged list shows: "101–150 of 1 234"."""


class PageRange:
    """For a dataclass with ``page``, ``per_page`` and ``total``: the rows shown."""

    page: int
    per_page: int
    total: int

    @property
    def first_index(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.total else 0

    @property
    def last_index(self) -> int:
        return min(self.page * self.per_page, self.total)

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, also when it is empty)."""
        return max(1, -(-self.total // self.per_page))
