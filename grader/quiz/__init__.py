"""Quizzes: questions in problems/<id>/quiz.toml, the key in solutions/<id>.toml.

Question types: `single` (one letter), `multiple` (a list of letters), `numeric`
(a number within a tolerance), and `text` (free text). A text question is scored
by the grader (`scoring = "auto"`: freetext.py reads the answer clause by clause for
the key points' concept patterns, with negation, in English and Chinese) or
self-assessed (`scoring = "self"`: the learner marks the key points covered after
seeing a model answer; never counted as verified). Sample answers in
solutions/<id>.samples.toml prove the scoring (samples.py). The learner's answers
are a TOML sheet: data, never code, so grading needs no sandbox.
"""

from attn_practice.grader.quiz.grading import QuizCheck, grade_quiz
from attn_practice.grader.quiz.schema import Question, Quiz, load_quiz
from attn_practice.grader.quiz.sheets import answer_sheet, filled_sheet, key_sheet
from attn_practice.grader.quiz.validation import validate_quiz

__all__ = ["Question", "Quiz", "QuizCheck", "answer_sheet", "filled_sheet", "grade_quiz", "key_sheet",
           "load_quiz", "validate_quiz"]
