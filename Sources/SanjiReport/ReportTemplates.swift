import SanjiCore

/// The default templates of the 通报 (mustache). A county keeps its own copy under
/// `<data>/report/` (`sanji report template` writes these there to start from) and edits the
/// header, the salutation, the opening and the 工作要求 in its own words; the figures come in
/// through the names `MonthlyReport.templateContext` gives (docs/operations.md lists them).
extension MonthlyReport {
    /// The default template of `format`.
    public static func defaultTemplate(_ format: TemplateFormat) -> String {
        format == .html ? defaultHTML : defaultMarkdown
    }

    static let defaultMarkdown = """
        {{% CONTENT_TYPE: TEXT}}
        {{! The 通报 in Markdown. Edit the salutation, the opening and 工作要求 in your own words.
            The names title, issuer, doc_number, has_doc_number, date_line, year, month, period_line,
            story (a list of sentences), sections (each with heading and body) and requirements_heading
            bring in what sanji computes (docs/operations.md). }}
        **{{issuer}}**

        {{#has_doc_number}}{{doc_number}}

        {{/has_doc_number}}
        # {{title}}

        各乡镇为民服务中心、村（社区）便民服务站，县直各有关单位：

        现将{{year}}年{{month}}月全县政务服务窗口工作情况通报如下。{{period_line}}

        {{#story}}
        {{.}}

        {{/story}}
        {{#sections}}

        ## {{heading}}

        {{body}}
        {{/sections}}

        ## {{requirements_heading}}

        （一）对超期未办结的办件，各单位要逐件核查原因，限期办结，并于下月 5 日前将办结情况报县政务服务管理局。

        （二）对超期未整改的差评，特别是实名差评，要按照政务服务“好差评”制度立即整改、回访，做到件件有整改、有回访。

        （三）红旗窗口所在单位要总结推广经验；需关注窗口所在单位要分析原因、提出改进措施，并在下月通报中说明整改成效。

        {{issuer}}

        {{date_line}}

        """

    static let defaultHTML = """
        <!DOCTYPE html>
        {{! The 通报 as one HTML page that prints on A4. Edit the salutation, the opening and 工作要求
            in your own words. The names title, issuer, doc_number, has_doc_number, date_line, year,
            month, period_line, story (a list of sentences), sections (each with heading and body, the
            body HTML already: write it with three braces) and requirements_heading bring in what
            sanji computes (docs/operations.md). }}
        <html lang="zh-CN"><head><meta charset="utf-8"><title>{{title}}</title>
        <style>
        @page { size: A4; margin: 25mm 22mm 22mm 25mm; }
        body { font-family: "Noto Serif CJK SC", "Source Han Serif SC", "SimSun", "Noto Sans CJK SC", "WenQuanYi Micro Hei", serif;
               font-size: 11pt; line-height: 1.6; color: #1a1a1a; max-width: 170mm; margin: 0 auto; }
        .issuer { color: #c00000; font-size: 24pt; font-weight: 700; text-align: center; letter-spacing: 2pt; margin: 0; }
        .docno { text-align: center; margin: 6pt 0 0; }
        hr.red { border: 0; border-top: 2pt solid #c00000; margin: 8pt 0 14pt; }
        h1 { font-size: 17pt; text-align: center; margin: 0 0 12pt; }
        h2 { font-size: 13pt; margin: 14pt 0 6pt; break-after: avoid; }
        p { text-indent: 2em; margin: 4pt 0; }
        p.to { text-indent: 0; }
        table { border-collapse: collapse; width: 100%; margin: 4pt 0 8pt; break-inside: avoid; font-size: 9pt; line-height: 1.3; }
        th, td { border: 0.5pt solid #999; padding: 2pt 4pt; }
        th { background: #f2f2f2; font-weight: 600; }
        td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
        ul { margin: 2pt 0 6pt 2em; padding: 0; }
        figure { margin: 6pt 0; break-inside: avoid; } figcaption { font-weight: 600; margin-bottom: 2pt; }
        svg text { font-size: 9pt; font-family: inherit; }
        .sign { text-align: right; margin-top: 24pt; text-indent: 0; }
        </style></head><body>
        <p class="issuer">{{issuer}}</p>
        {{#has_doc_number}}<p class="docno">{{doc_number}}</p>{{/has_doc_number}}
        <hr class="red">
        <h1>{{title}}</h1>
        <p class="to">各乡镇为民服务中心、村（社区）便民服务站，县直各有关单位：</p>
        <p>现将{{year}}年{{month}}月全县政务服务窗口工作情况通报如下。{{period_line}}</p>
        {{#story}}<p>{{.}}</p>
        {{/story}}
        {{#sections}}
        <h2>{{heading}}</h2>
        {{{body}}}
        {{/sections}}
        <h2>{{requirements_heading}}</h2>
        <p>（一）对超期未办结的办件，各单位要逐件核查原因，限期办结，并于下月 5 日前将办结情况报县政务服务管理局。</p>
        <p>（二）对超期未整改的差评，特别是实名差评，要按照政务服务“好差评”制度立即整改、回访，做到件件有整改、有回访。</p>
        <p>（三）红旗窗口所在单位要总结推广经验；需关注窗口所在单位要分析原因、提出改进措施，并在下月通报中说明整改成效。</p>
        <p class="sign">{{issuer}}<br>{{date_line}}</p>
        </body></html>

        """
}
