"""What runs produce: JSON/JUnit, tables, benchmarks, docs generation."""
