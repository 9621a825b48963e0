// Where the collector is: written by the test before it builds the app.
export const config = { endpoint: 'http://127.0.0.1:1', key: 'pk_placeholder' }
