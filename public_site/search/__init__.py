"""Search across every public record: parsing, the query, its index and its pages."""
