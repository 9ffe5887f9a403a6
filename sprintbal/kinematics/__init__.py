"""Kinematics stage: clean tracks, scale and direction, body model, gait events, angular momentum.

Lab frame used by every output of this stage (ISB-like, right-handed):

- X forward, in the runner's direction of travel (so signs do not depend on
  whether the runner crosses the image left-to-right or right-to-left);
- Y up;
- Z to the runner's right (mediolateral axis).

Angular momentum about Z (pitch, mediolateral axis) is positive for rotation
taking +X toward +Y: the swing thigh flexing forward-up, the trunk tipping
backward. Angular momentum about Y (yaw, vertical axis) is positive for rotation
taking +Z toward +X: the runner's right side moving forward, i.e.
counter-clockwise seen from above.
"""
