"""The course author's tools: adding and checking an assignment, the demo class, the mutation report."""
