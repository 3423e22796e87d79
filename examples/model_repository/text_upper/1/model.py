"""text_upper: upper-cases UTF-8 strings."""

import numpy as np
import triton_python_backend_utils as pb_utils


class TritonPythonModel:
    def execute(self, requests):
        responses = []
        for request in requests:
            text = pb_utils.get_input_tensor_by_name(request, "TEXT").as_numpy()
            upper = np.array([s.decode("utf-8", "replace").upper().encode("utf-8") for s in text.flat], dtype=object)
            tensor = pb_utils.Tensor("UPPER", upper.reshape(text.shape))
            responses.append(pb_utils.InferenceResponse(output_tensors=[tensor]))
        return responses
