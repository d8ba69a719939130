"""Colour arithmetic for the palette tests: sRGB → CIELAB, CIEDE2000, WCAG contrast,
and colour-vision-deficiency simulation.

Written out here (a few lines of numpy each) because no colour library is a
dependency of propscope; the formulas and constants are the published ones:

* sRGB transfer and D65 XYZ matrix: IEC 61966-2-1.
* CIEDE2000: Sharma, Wu and Dalal (2005), "The CIEDE2000 color-difference formula:
  implementation notes, supplementary test data, and mathematical observations",
  whose test pairs :func:`ciede2000` is checked against.
* Contrast ratio and relative luminance: WCAG 2.1, success criterion 1.4.3.
* Dichromacy: Machado, Oliveira and Fernandes (2009), "A physiologically-based model
  for simulation of color vision deficiency", the severity-1.0 matrices, applied to
  linear RGB.
"""

from __future__ import annotations

import numpy as np

MACHADO = {
    "protanopia": np.array([[0.152286, 1.052583, -0.204868],
                            [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968],
                              [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779],
                            [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}

_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375],
                 [0.2126729, 0.7151522, 0.0721750],
                 [0.0193339, 0.1191920, 0.9503041]])
_WHITE = _XYZ.sum(axis=1)  # D65 white as sRGB renders it


def linear_rgb(hex_colour: str) -> np.ndarray:
    """``#rrggbb`` → linear-light RGB in [0, 1]."""
    value = hex_colour.lstrip("#")
    srgb = np.array([int(value[i:i + 2], 16) for i in (0, 2, 4)]) / 255
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def simulate(linear: np.ndarray, vision: str) -> np.ndarray:
    """Linear RGB as a dichromat of kind ``vision`` sees it (``"normal"`` unchanged)."""
    if vision == "normal":
        return linear
    return np.clip(MACHADO[vision] @ linear, 0, 1)


def luminance(linear: np.ndarray) -> float:
    return float(_XYZ[1] @ linear)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two ``#rrggbb`` colours, 1 to 21."""
    la, lb = sorted((luminance(linear_rgb(a)), luminance(linear_rgb(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def lab(linear: np.ndarray) -> np.ndarray:
    t = (_XYZ @ linear) / _WHITE
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def ciede2000(lab1: np.ndarray, lab2: np.ndarray) -> float:
    """ΔE00 between two CIELAB colours (kL = kC = kH = 1)."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (np.hypot(a1, b1) + np.hypot(a2, b2)) / 2
    g = 0.5 * (1 - np.sqrt(c_mean**7 / (c_mean**7 + 25**7)))
    a1p, a2p = a1 * (1 + g), a2 * (1 + g)
    c1p, c2p = np.hypot(a1p, b1), np.hypot(a2p, b2)
    h1p = np.degrees(np.arctan2(b1, a1p)) % 360
    h2p = np.degrees(np.arctan2(b2, a2p)) % 360
    dlp, dcp = l2 - l1, c2p - c1p
    dh = h2p - h1p
    if c1p * c2p == 0:
        dh = 0.0
    elif dh > 180:
        dh -= 360
    elif dh < -180:
        dh += 360
    dhp = 2 * np.sqrt(c1p * c2p) * np.sin(np.radians(dh / 2))
    lp, cp = (l1 + l2) / 2, (c1p + c2p) / 2
    hp = h1p + h2p
    if c1p * c2p != 0:
        if abs(h1p - h2p) > 180:
            hp += 360 if hp < 360 else -360
        hp /= 2
    t = (1 - 0.17 * np.cos(np.radians(hp - 30)) + 0.24 * np.cos(np.radians(2 * hp))
         + 0.32 * np.cos(np.radians(3 * hp + 6)) - 0.20 * np.cos(np.radians(4 * hp - 63)))
    sl = 1 + 0.015 * (lp - 50) ** 2 / np.sqrt(20 + (lp - 50) ** 2)
    sc, sh = 1 + 0.045 * cp, 1 + 0.015 * cp * t
    rt = (-2 * np.sqrt(cp**7 / (cp**7 + 25**7))
          * np.sin(np.radians(60 * np.exp(-(((hp - 275) / 25) ** 2)))))
    return float(np.sqrt((dlp / sl) ** 2 + (dcp / sc) ** 2 + (dhp / sh) ** 2
                         + rt * (dcp / sc) * (dhp / sh)))


def distance(a: str, b: str, vision: str = "normal") -> float:
    """ΔE00 between two ``#rrggbb`` colours as a reader with ``vision`` sees them."""
    return ciede2000(lab(simulate(linear_rgb(a), vision)),
                     lab(simulate(linear_rgb(b), vision)))
