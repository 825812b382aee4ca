"""Build of the compiled hot paths: the exact path (normalizer/_scan.pyx, _fold.pyx), the name passes' tokenizer
(_spans.pyx) and the name layer's kernels (_fuzzy.pyx, _align.pyx): Cython, gcc and the Python headers at install.

Everything else (the bundled tables and rule files as package data included) is in pyproject.toml.  A machine that cannot compile it still gets a working package: the scan
falls back to its Python reference (scan.py, decide.py, fold.py, fastfold.py, names/fuzzy_kernel.py, names/score.py: same output, slower), with a warning here at
build time; ``normalizer.compiled.available()`` says which one runs (the identity tests require the compiled one).
"""

import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    """A failed compile is a warning, not a failed install: the pure-Python path does the same work."""

    def run(self) -> None:
        try:
            super().run()
        except Exception as exc:  # noqa: BLE001
            _warn(exc)

    def build_extension(self, ext: Extension) -> None:
        try:
            super().build_extension(ext)
        except Exception as exc:  # noqa: BLE001
            _warn(exc)


def _warn(exc: Exception) -> None:
    print(f"WARNING: normalizer's compiled scan was not built ({exc}); the pure-Python path will be used",
          file=sys.stderr)


def _extensions() -> list:
    try:
        from Cython.Build import cythonize
    except ImportError as exc:
        _warn(exc)
        return []
    exts = [Extension(f"normalizer.{name}", [f"normalizer/{name}.pyx"], extra_compile_args=["-O2"])
            for name in ("_scan", "_fold", "_spans", "_fuzzy", "_align")]
    return cythonize(exts, compiler_directives={"language_level": "3"}, quiet=True)


setup(ext_modules=_extensions(), cmdclass={"build_ext": OptionalBuildExt})
