"""The chaos suite of issue 16: kills, outages, a full disk and many hubs, every record counted."""
