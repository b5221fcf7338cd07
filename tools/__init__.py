"""Offline tools for developers (FAQ calibration, augmentation): not shipped in the runtime package."""
