"""Collect: a course's submissions, where nbgrader keeps each one's files, read and copied without
following anything a student planted."""
