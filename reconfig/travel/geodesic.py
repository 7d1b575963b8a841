"""Vectorised ellipsoidal distances and the geodesic travel-time method."""

from __future__ import annotations

import numpy as np

# WGS84 ellipsoid
A_M = 6_378_137.0
F = 1 / 298.257223563
R_MEAN_M = 6_371_008.8


def distance_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Distance in metres on the WGS84 ellipsoid (Andoyer-Lambert), broadcasting like numpy.

    Agrees with geopy.distance.geodesic to well under 0.1 % (tested) except for nearly antipodal
    points (where the formula degrades; irrelevant for travel); about 100 times faster.
    """
    b1 = np.arctan((1 - F) * np.tan(np.radians(lat1)))  # reduced latitudes
    b2 = np.arctan((1 - F) * np.tan(np.radians(lat2)))
    dlon = np.radians(np.asarray(lon2) - np.asarray(lon1))
    # central angle on the auxiliary sphere (haversine: stable for short lines)
    h = np.sin((b2 - b1) / 2) ** 2 + np.cos(b1) * np.cos(b2) * np.sin(dlon / 2) ** 2
    sigma = 2 * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    p = (b1 + b2) / 2
    q = (b2 - b1) / 2
    s = np.sin(sigma)
    with np.errstate(divide="ignore", invalid="ignore"):
        x = (sigma - s) * (np.sin(p) * np.cos(q)) ** 2 / np.cos(sigma / 2) ** 2
        y = (sigma + s) * (np.cos(p) * np.sin(q)) ** 2 / np.sin(sigma / 2) ** 2
        d = A_M * (sigma - F / 2 * (x + y))
    d = np.where(np.isfinite(d) & (sigma < np.pi - 1e-6), d, sigma * R_MEAN_M)  # antipodal fallback
    return np.where(sigma > 1e-12, d, 0.0)


def pairwise_m(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray) -> np.ndarray:
    """Matrix of distances (len(lat1) x len(lat2)) in metres."""
    lat1, lon1 = np.asarray(lat1, float)[:, None], np.asarray(lon1, float)[:, None]
    return distance_m(lat1, lon1, np.asarray(lat2, float)[None, :], np.asarray(lon2, float)[None, :])


def unit_xyz(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    """Points on the unit sphere (n x 3): Euclidean nearest neighbour there = great-circle nearest."""
    la, lo = np.radians(np.asarray(lat, float)), np.radians(np.asarray(lon, float))
    return np.column_stack([np.cos(la) * np.cos(lo), np.cos(la) * np.sin(lo), np.sin(la)])


def chord_to_m(chord: np.ndarray) -> np.ndarray:
    """Great-circle metres on the mean sphere from a unit-sphere chord length."""
    return 2 * R_MEAN_M * np.arcsin(np.clip(np.asarray(chord) / 2, 0.0, 1.0))


def geodesic_minutes(zlat: np.ndarray, zlon: np.ndarray, slat: np.ndarray, slon: np.ndarray,
                     speed_kph: float, circuity: float) -> np.ndarray:
    """Zone x site minutes: straight-line distance x circuity / speed."""
    return pairwise_m(zlat, zlon, slat, slon) * circuity / 1000 / speed_kph * 60
