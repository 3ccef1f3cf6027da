"""Turning results (grader.results) into pictures: Rich, plain text, JSON, JUnit XML."""
