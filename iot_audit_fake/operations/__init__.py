"""The audit API's operations, grouped by the resource they act on (one mixin per group)."""
