"""The instructor's side of `App`: scaffolding, grading classes and courses, the sandbox
report, exporting, validating. A mixin: `App` is one object for every command."""

from __future__ import annotations

from pathlib import Path

from attn_practice.grader.catalog import BrokenProblem, Catalog, Problem
from attn_practice.grader.views import BatchOutcome


class Teaching:
    """Needs `self.settings` and `self.catalog` (App has both)."""

    def new_problem(self, slug: str, kind: str) -> list[Path]:
        """Scaffold the next-numbered problem and its solution; the files written."""
        from attn_practice.grader.scaffold import scaffold

        return scaffold(self.settings.problems_dir, self.settings.solutions_dir, slug, kind)

    def find_batch(self, folder: Path, problem: Problem | None = None):
        """(submissions, skipped files): a class for one problem, or a whole course."""
        from attn_practice.grader.batch import find_class, find_course

        if problem is not None:
            return find_class(folder, problem), []
        return find_course(folder, self.catalog)

    def engine(self, jobs: int, kind: str = "local", scheduler: str | None = None):
        """Where a batch is graded: local (this process or a warm pool) or Dask."""
        from attn_practice.grader import engines

        if scheduler or kind == "dask":
            return engines.Dask(scheduler, jobs)
        return engines.InProcess() if jobs <= 1 else engines.LocalPool(jobs)

    def grade_batch(self, subs: list, engine, out_csv: Path, resume: bool = False,
                    on_row=lambda row: None) -> BatchOutcome:
        """Grade every submission; each gets a row whatever happens to the others. Writes
        the CSV, one JSON document per submission, and mistakes.csv (the class report)."""
        from attn_practice.grader.batch import grade_all
        from attn_practice.grader.classreport import class_report, write_mistakes_csv

        totals, graded = grade_all(subs, self.catalog, engine, out_csv, resume, on_row)
        reports = class_report(graded, self.catalog)
        mistakes_csv = out_csv.parent / "mistakes.csv"
        write_mistakes_csv(reports, mistakes_csv)
        return BatchOutcome(totals, reports, mistakes_csv)

    def doctor(self):  # -> SandboxReport
        """Which sandbox layers this machine enforces, and why any is missing."""
        from attn_practice.grader.sandbox.doctor import sandbox_report

        return sandbox_report((str(self.settings.problems_dir), str(self.settings.solutions_dir)))

    def export(self, platform: str, problem: Problem, out: Path):  # -> ExportSummary
        """Package a problem as an autograder for a grading platform (only Gradescope needs one:
        PrairieLearn and GitHub Classroom run `submit --format ...` themselves)."""
        from attn_practice.grader.errors import ExportError
        from attn_practice.grader.export import export_gradescope

        if platform != "gradescope":
            raise ExportError(f"cannot export for {platform!r}; only for gradescope.",
                              hint="For PrairieLearn and GitHub Classroom, run `attn-practice "
                                   "submit ID --format prairielearn|classroom` (see the README).")
        return export_gradescope(problem, out)

    def validate(self, queries: list[str] | None = None, on_start=None,
                 jobs: int = 1):  # -> list[ProblemReport]
        """Validate problems in order, or in `jobs` worker processes (each with its own sandbox)."""
        from attn_practice.grader.validate import validate_broken, validate_problem

        targets: list[Problem | BrokenProblem]
        if queries:
            targets = [self.problem(q) for q in queries]
        else:
            targets = [*self.catalog.problems, *self.catalog.broken]
        broken = {t.id: validate_broken(t) for t in targets if isinstance(t, BrokenProblem)}
        loaded = [t for t in targets if isinstance(t, Problem)]
        done = {}
        if jobs > 1 and len(loaded) > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor, as_completed

            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
                futures = {pool.submit(_validate_in_worker, self.settings.problems_dir,
                                       self.settings.solutions_dir, p.id): p.id for p in loaded}
                for future in as_completed(futures):
                    if on_start:
                        on_start(f"{futures[future]} done")
                    done[futures[future]] = future.result()
        else:
            for problem in loaded:
                if on_start:
                    on_start(problem.id)
                done[problem.id] = validate_problem(problem)
        return [done.get(t.id) or broken[t.id] for t in targets]


def _validate_in_worker(problems_dir: Path, solutions_dir: Path, problem_id: str):
    """Runs in a worker process of `validate --jobs N`."""
    from attn_practice.grader.validate import validate_problem

    return validate_problem(Catalog.load(problems_dir, solutions_dir).get(problem_id))
