// CloudFront Function (cloudfront-js-2.0) on the web app's default behaviour: a path
// without a file extension is a client-side route (/documents/<id>, /jobs/<id>, ...), so
// it is answered with /index.html and the app's router takes over. Files (/assets/*.js,
// /favicon.ico) pass through. /api/* has its own behaviour and never reaches this.
// frontend/src/app/spaFallback.test.ts runs this file against the app's routes.
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (request.uri === '/' || last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
