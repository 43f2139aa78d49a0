"""Exports: safe CSV/XLSX tables, templates, annotated workbooks, slide packs."""
