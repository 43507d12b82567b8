"""What every paged list shows: "101–150 of 1 234"."""


def page_count(total: int, per_page: int) -> int:
    """How many pages ``total`` rows make (at least one, also when there are none)."""
    return max(1, -(-total // per_page))


def clamp_page(page: int, total: int, per_page: int) -> int:
    """``page`` moved into 1..last page: a page past either end shows the nearest one
    (and an address with a huge number never reaches the database's OFFSET)."""
    return min(max(page, 1), page_count(total, per_page))


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
        return page_count(self.total, self.per_page)
