"""Only the package list lives here (the rest is in pyproject.toml): the pages' templates
and static files sit beside journal/ in a checkout and ride inside it in a wheel, as the
packages journal._templates and journal._static that pyproject.toml maps to those folders."""
from setuptools import find_packages, setup

setup(packages=find_packages(include=["journal", "journal.*"]) + ["journal._templates", "journal._static"])
