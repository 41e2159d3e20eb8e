/* Starts Swagger UI on the API documentation page (settings from a json_script element:
   no inline script, for the Content Security Policy). */
(function () {
  "use strict";
  var settings = JSON.parse(document.getElementById("swagger-settings").textContent);
  settings.dom_id = "#swagger-ui";
  settings.presets = [SwaggerUIBundle.presets.apis];
  settings.layout = "BaseLayout";
  settings.supportedSubmitMethods = ["get"];
  SwaggerUIBundle(settings);
})();
