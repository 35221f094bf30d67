"""Generated documentation: the terraform-docs tables of the module READMEs, rendered offline
(``readme_tables``), behind ``python -m scripts docs``."""
