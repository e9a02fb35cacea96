// Mantine's PostCSS preset (rem(), light-dark mixins) for the few CSS modules of the UI.
module.exports = { plugins: { 'postcss-preset-mantine': {} } };
