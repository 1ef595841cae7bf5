// A hello written directly against the gateway interface (no framework): FRAMEWORK_APP for "ours-native".
const BODY = Buffer.from('Hello World!');
/** @type {import('@mono/tsgi').HeaderList} */
const HEADERS = [['Content-Type', 'text/html; charset=utf-8']];

/** @type {import('@mono/tsgi').Application} */
exports.application = (environ, startResponse) => {
  if (environ.PATH_INFO !== '/hello') {
    startResponse('404 Not Found', [['Content-Type', 'text/plain']]);
    return [Buffer.from('Not Found')];
  }
  startResponse('200 OK', HEADERS);
  return [BODY];
};
