"""The KPI forms: docxtpl templates, rendering them prefilled, and reading filled ones back."""
