"""sprintbal: rotational balance of sprinters from ordinary video.

Pipeline: video -> pose (MediaPipe BlazePose) -> kinematics (segment angular
momentum about the whole-body centre of mass) -> balance (breakdown events) ->
report. Nothing heavy is imported here, so ``sprintbal --help`` stays instant.
"""

__version__ = "0.1.0"
