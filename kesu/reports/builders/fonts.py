"""Free faces for the official 公文 faces, so a PDF made on a server keeps the hierarchy of faces.

The DOCX names the faces GB/T 9704 asks for (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体); Word and WPS on an
office's machine use them. They are commercial and seldom installed on a server, where LibreOffice would otherwise set
title, headings and body in one fallback face. For the PDF conversion each official face (and its common aliases) is
mapped to a free face of the same kind, installed from Debian:

    宋体, 小标宋 → Noto Serif CJK SC (fonts-noto-cjk; the title in its bold weight, as 小标宋 is a heavy face)
    黑体         → Noto Sans CJK SC  (fonts-noto-cjk)
    楷体         → AR PL UKai CN     (fonts-arphic-ukai)
    仿宋         → FandolFang        (texlive-lang-chinese, which keeps it in TeX Live's font folder, added below)
    Times New Roman → Liberation Serif (fonts-liberation2, with the same widths)

The mapping is written as a fontconfig file that only the conversion reads (``FONTCONFIG_FILE``); the machine's own
font set-up is not touched.
"""

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from . import gbt9704


@dataclass(frozen=True)
class FreeFace:
    family: str
    package: str
    bold: bool = False


SERIF = FreeFace("Noto Serif CJK SC", "fonts-noto-cjk")
SERIF_HEAVY = FreeFace("Noto Serif CJK SC", "fonts-noto-cjk", bold=True)
SANS = FreeFace("Noto Sans CJK SC", "fonts-noto-cjk")
KAI = FreeFace("AR PL UKai CN", "fonts-arphic-ukai")
FANG = FreeFace("FandolFang", "texlive-lang-chinese")
LATIN = FreeFace("Liberation Serif", "fonts-liberation2")

SUBSTITUTES: dict[str, FreeFace] = {
    gbt9704.TITLE_FONT: SERIF_HEAVY, "方正小标宋_GBK": SERIF_HEAVY, "小标宋": SERIF_HEAVY,
    "宋体": SERIF, "SimSun": SERIF, "新宋体": SERIF, "华文中宋": SERIF, "方正书宋_GBK": SERIF,
    gbt9704.HEADING1_FONT: SANS, "SimHei": SANS, "方正黑体_GBK": SANS, "方正黑体简体": SANS,
    gbt9704.HEADING2_FONT: KAI, "楷体": KAI, "KaiTi": KAI, "KaiTi_GB2312": KAI, "方正楷体_GBK": KAI,
    "方正楷体简体": KAI, "华文楷体": KAI,
    gbt9704.BODY_FONT: FANG, "仿宋": FANG, "FangSong": FANG, "FangSong_GB2312": FANG, "方正仿宋_GBK": FANG,
    "方正仿宋简体": FANG, "华文仿宋": FANG,
    gbt9704.LATIN_FONT: LATIN,
}
# Debian installs TeX Live's OpenType fonts outside fontconfig's folders.
EXTRA_DIRS = ("/usr/share/texlive/texmf-dist/fonts/opentype/public/fandol",)
PACKAGES = sorted({face.package for face in SUBSTITUTES.values()})


def fontconfig_file() -> str:
    """A fontconfig file: the system's configuration, TeX Live's font folder, one rule per official face."""
    lines = ['<?xml version="1.0"?>', '<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">', "<fontconfig>",
             '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>']
    lines += [f"  <dir>{escape(d)}</dir>" for d in EXTRA_DIRS if Path(d).is_dir()]
    for name, face in SUBSTITUTES.items():
        lines.append(f'  <match target="pattern"><test name="family"><string>{escape(name)}</string></test>'
                     f'<edit name="family" mode="assign" binding="strong"><string>{escape(face.family)}</string>'
                     "</edit>")
        if face.bold:
            lines.append('    <edit name="weight" mode="assign" binding="strong"><const>bold</const></edit>')
        lines.append("  </match>")
    lines.append("</fontconfig>")
    return "\n".join(lines) + "\n"


def missing_faces(config_path: Path) -> list[FreeFace]:
    """The free faces fontconfig cannot find on this machine (each names the Debian package that has it)."""
    faces = {face.family: face for face in SUBSTITUTES.values()}
    if shutil.which("fc-list") is None:
        return list(faces.values())
    result = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False,
                            env={"FONTCONFIG_FILE": str(config_path), "PATH": "/usr/bin:/bin"})
    installed = {name.strip() for line in result.stdout.splitlines() for name in line.split(",")}
    return [face for family, face in sorted(faces.items()) if family not in installed]
