"""P1 baseline: one Python process renders print HTML files one after another with WeasyPrint.

    python benchmarks/weasy_api.py MANIFEST.json

The manifest (written by run.py) lists ``{"html": ..., "css": ..., "pdf": ..., "forms": bool}``
entries; each is rendered with the options podkit uses for that kind of document (tagged PDF/UA-1
with custom metadata, or a plain fillable form), which is what a hand-made script would do.
"""

import json
import sys

import weasyprint


def main(manifest: str) -> None:
    for job in json.loads(open(manifest, encoding="utf-8").read()):
        options = {"stylesheets": [weasyprint.CSS(filename=job["css"])], "custom_metadata": True}
        if job["forms"]:
            options["pdf_forms"] = True
        else:
            options.update(pdf_variant="pdf/ua-1", pdf_tags=True)
        weasyprint.HTML(filename=job["html"]).write_pdf(job["pdf"], **options)


if __name__ == "__main__":
    main(sys.argv[1])
