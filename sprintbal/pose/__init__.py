"""Pose stage: landmark names, the PoseTrack container, the estimator and its cache.

Only :mod:`sprintbal.pose.estimator` imports mediapipe.
"""
