"""UN/ECE Recommendation 20 unit codes (with Rec 21 package codes in their Rec 20 ``X`` form).

This is the subset retail and wholesale documents actually carry — counts, mass, length, area,
volume, time, energy and the package types of Rec 21 — checked against the code list published
for EN 16931 e-invoicing. Three deliberate choices:

* ``EA`` ("each") is listed by recent Rec 20 revisions but is left out: the hub says "each" as
  ``C62`` only, so two events for the same count never differ by spelling. Mappings translate
  ``EA``, ``PCE``, ``ST`` and friends to ``C62`` in their code tables.
* The old two-letter package codes (``BX``, ``CT``, ``PK``, ``CS``, ``PL``…) left Rec 20 long
  ago; their Rec 21 successors are ``XBX`` box, ``XCT`` carton, ``XPK`` package, ``XCS`` case,
  ``XPX`` pallet. Mappings translate the legacy spellings.
* ``ZZ``/``XZZ`` ("mutually defined") are out: a canonical event must say what it counts.
"""

from __future__ import annotations

# Grouped by quantity so a reviewer can see what is covered; each group is sorted.
_COUNT = """
    C62 H87 NAR NMP NPT PR DPR TPR SET TST DZN DPC DZP GRO GGR CEN CNP HC MIL MIO
    T3 KT P5 TP LO AS PD RM ZP LS E48 SX D63 E23 E27 U2 QR PTN Q3 SYR IE HEA NIU
"""
_MASS = """
    KGM GRM MGM MC DG DJ HGM CGM TNE KTN DTN LBR ONZ APZ STN LTN STI GRN CTM E4 58
    CWA CWI
"""
_LENGTH = "MTR CMT MMT DMT KMT HMT A45 4H INH FOT YRD SMI NMI LM LF LY"
_AREA = "MTK CMK MMK DMK KMK INK FTK YDK MIK ACR DAA"
_VOLUME = """
    LTR MLT CLT DLT HLT A44 K6 MAL 4G MTQ CMQ MMQ DMQ INQ FTQ YDQ GLL GLI GLD QTL QTI
    QTD PTL PTI PTD OZA OZI BLL G21 G24 G25
"""
_TIME = "SEC MIN HUR DAY WEE MON ANN QAN SAN C26 LH E49"
_ENERGY_AND_OTHER = """
    KWH WHR MWH GWH WTT KWT MAW JOU KJO VLT AMP AMH CEL FAH KEL P1 AD 2P 4L E34 E35
    KMH ACT E51 E55
"""
_PACKAGE = """
    XAE XAG XAI XAM XAV XBA XBE XBG XBH XBI XBJ XBK XBO XBQ XBS XBV XBX XCA XCI XCQ
    XCR XCS XCT XCU XCW XCX XCY XDN XDR XEC XEN XHN XJG XJR XKG XKI XLT XNE XNF XNG
    XNT XOA XOB XOC XPA XPC XPJ XPK XPL XPO XPP XPT XPU XPX XRK XRO XSA XSH XSW XT1
    XTB XTD XTL XTN XTT XTU XUN XVI XVP XWA X8A
"""

_GROUPS = (_COUNT, _MASS, _LENGTH, _AREA, _VOLUME, _TIME, _ENERGY_AND_OTHER, _PACKAGE)

UNIT_CODES: frozenset[str] = frozenset(code for group in _GROUPS for code in group.split())
