"""Hosting: ``HuggingFaceModel.deploy()`` and the predictors of the endpoint it makes.

One ``deploy()`` flows down these modules: check every argument (``deploy_options``), resolve
the image, build the container (``model_container``, ``model_source``), then CreateModel,
CreateEndpointConfig and CreateEndpoint (``endpoint_request``), wait, and return a predictor.

- ``model``             ``HuggingFaceModel``: constructor, container definition, deploy(),
                        transformer(), register()
- ``model_container``   CreateModel: environment, model data upload, reuse
- ``model_source``      ``model_data`` as the API's ``ModelDataSource`` dict; ``accept_eula``
- ``model_package``     register(): the model package (and its group) requests
- ``deploy_options``    SDK v2 keywords with no effect here (warned) or that AWS refuses
- ``endpoint_request``  production variant, endpoint config, CreateEndpoint/UpdateEndpoint, wait
- ``endpoint_update``   ``Predictor.update_endpoint()``: a new config from the current one
- ``configs``           ``ServerlessInferenceConfig``, ``AsyncInferenceConfig``, ``DataCaptureConfig``
- ``base_predictor``    ``Predictor``: SDK v2's generic endpoint handle
- ``predictor``         ``HuggingFacePredictor``, ``AsyncPredictor``, ``AsyncInferenceResponse``
- ``response_stream``   iterators over InvokeEndpointWithResponseStream bodies
- ``autoscaling``       target tracking on invocations per instance
"""
