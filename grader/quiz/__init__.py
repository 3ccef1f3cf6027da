"""Quizzes: questions in problems/<id>/quiz.toml, the key in solutions/<id>.toml.

Question types: `single` (one letter), `multiple` (a list of letters), `numeric`
(a number within a tolerance), and `text` (free text scored by the key points it
covers; each key point lists English and Chinese phrasings). A quiz passes when
every choice and numeric answer is right and every text answer covers its
required key points. The learner's answers are a TOML sheet: data, never code,
so grading needs no sandbox.
"""

from attn_practice.grader.quiz.grading import grade_quiz
from attn_practice.grader.quiz.schema import Question, Quiz, load_quiz
from attn_practice.grader.quiz.sheets import answer_sheet, filled_sheet, key_sheet
from attn_practice.grader.quiz.validation import validate_quiz

__all__ = ["Question", "Quiz", "answer_sheet", "filled_sheet", "grade_quiz", "key_sheet",
           "load_quiz", "validate_quiz"]
