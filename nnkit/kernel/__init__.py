"""The kernel side: what runs inside the sandbox, beside the student's code: `record()`, the records' schema,
the cases and their inputs, the limits and the course's facts. The sandbox binds this folder as one
and it imports nothing else of the kit; every other package may import it."""
